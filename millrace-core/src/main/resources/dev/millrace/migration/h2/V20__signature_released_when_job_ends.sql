-- A job's duplicate signature is released in the update that ends it (H2SignatureTrigger), so holding one is a plain
-- insert that the primary key refuses while a live job holds it. V18 instead handed an ended holder's entry over
-- with an UPDATE … WHERE NOT EXISTS (a live holder), which H2 let two racing enqueues both pass.
DELETE FROM mr_job_signature s WHERE NOT EXISTS (SELECT 1 FROM mr_job j
    WHERE j.tenant_id = s.tenant_id AND j.id = s.job_id AND j.state IS NOT NULL);
CREATE TRIGGER mr_job_signature_release AFTER UPDATE ON mr_job FOR EACH ROW
    CALL 'dev.millrace.internal.store.sql.H2SignatureTrigger';
