-- One row per job (issue 3): the queue's columns move onto mr_job and mr_queue goes. state is 0 ready, 1 running,
-- 3 held by a flag, and NULL once the job left the queue (ended, or a batch waiting outside it in its flex queue).
-- The hot set is served by partial indexes over the live rows, so the history costs claims nothing.
ALTER TABLE mr_job
    ADD COLUMN state            SMALLINT,
    ADD COLUMN lease_expires_at TIMESTAMPTZ,
    ADD COLUMN abort_requested  BOOLEAN NOT NULL DEFAULT FALSE;

-- Live queue rows carry their state over; the queue's attempt is the fencing one, so it wins.
UPDATE mr_job j SET state = q.state, lease_expires_at = q.lease_expires_at, abort_requested = q.abort_requested,
                    attempt = q.attempt, node = q.node, run_at = q.run_at
FROM mr_queue q WHERE q.job_id = j.id;

DROP TABLE mr_queue;

CREATE INDEX mr_job_ready ON mr_job (tenant_id, run_at, id) WHERE state = 0;
CREATE INDEX mr_job_leases ON mr_job (lease_expires_at) WHERE state = 1;
CREATE INDEX mr_job_node ON mr_job (node) WHERE state = 1;
CREATE INDEX mr_job_flag_held ON mr_job (tenant_id) WHERE state = 3;
-- A duplicate signature is refused only while its job is live; ended jobs keep theirs for the record.
CREATE UNIQUE INDEX mr_job_signature ON mr_job (tenant_id, signature) WHERE state IS NOT NULL AND signature IS NOT NULL;

-- Every job is updated twice after its insert, so the table makes dead tuples at a steady rate whatever its size:
-- vacuum (and analyze) by row count, not by a fraction of a table that holds the whole history.
ALTER TABLE mr_job SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 10000,
                        autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 10000);
