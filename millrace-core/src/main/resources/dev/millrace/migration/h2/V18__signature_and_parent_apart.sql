-- H2 executes every UPDATE as "remove the row from each index of the table, add it back", whichever columns changed
-- (2.4's Table.updateRows), so the unique index over live signatures cost every claim and every completion two more
-- B-tree changes (and their replay at commit), signed job or not. The live signatures move to a table of their own,
-- touched only by enqueues of signed jobs: an entry names the job holding the signature; it is held while that job
-- is live (state IS NOT NULL), and the next enqueue of the signature takes it over once that job ended or was
-- pruned (H2Dialect.takeSignatureSql). The pruner deletes the entries of the jobs it deletes.
DROP INDEX mr_job_signature;
ALTER TABLE mr_job DROP COLUMN live_signature;

CREATE TABLE mr_job_signature (
    tenant_id  VARCHAR(64)  NOT NULL,
    signature  VARCHAR(300) NOT NULL,
    job_id     UUID         NOT NULL,
    PRIMARY KEY (tenant_id, signature)
);
CREATE INDEX mr_job_signature_job ON mr_job_signature (job_id);

INSERT INTO mr_job_signature (tenant_id, signature, job_id)
    SELECT tenant_id, signature, id FROM mr_job WHERE state IS NOT NULL AND signature IS NOT NULL;

-- For the same reason the parent index goes: few jobs have a parent (chained children, finalizers, batch chunks) and
-- none changes it, yet its entry was rewritten at every claim and completion of every job. The (parent, child)
-- pairs live in a table of their own, kept by a trigger on inserts and deletes of job rows (never on updates).
CREATE TABLE mr_job_child (
    parent_job_id  UUID NOT NULL,
    job_id         UUID NOT NULL,
    PRIMARY KEY (parent_job_id, job_id)
);
INSERT INTO mr_job_child (parent_job_id, job_id) SELECT parent_job_id, id FROM mr_job WHERE parent_job_id IS NOT NULL;
DROP INDEX mr_job_parent;
CREATE TRIGGER mr_job_child_sync AFTER INSERT, DELETE ON mr_job FOR EACH ROW
    CALL 'dev.millrace.internal.store.sql.H2ChildrenTrigger';
