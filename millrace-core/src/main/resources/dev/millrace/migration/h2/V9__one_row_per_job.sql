-- One row per job (issue 3): the queue's columns move onto mr_job and mr_queue goes. state is 0 ready, 1 running,
-- 3 held by a flag, and NULL once the job left the queue (ended, or a batch waiting outside it in its flex queue).
ALTER TABLE mr_job ADD COLUMN state SMALLINT;
ALTER TABLE mr_job ADD COLUMN lease_expires_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE mr_job ADD COLUMN abort_requested BOOLEAN DEFAULT FALSE NOT NULL;
-- H2 has no partial indexes: the duplicate check is a unique index over a column that is NULL once the job ended
-- (NULLs never collide).
ALTER TABLE mr_job ADD COLUMN live_signature VARCHAR(300)
    GENERATED ALWAYS AS (CASE WHEN state IS NOT NULL THEN signature END);

-- Live queue rows carry their state over; the queue's attempt is the fencing one, so it wins.
MERGE INTO mr_job j USING mr_queue q ON j.id = q.job_id
    WHEN MATCHED THEN UPDATE SET state = q.state, lease_expires_at = q.lease_expires_at,
        abort_requested = q.abort_requested, attempt = q.attempt, node = q.node, run_at = q.run_at;

DROP TABLE mr_queue;

-- One index serves every state: state leads it, so claims read ready rows in (tenant, run_at, id) order and the
-- few running (1) or held (3) rows are a short range; ended rows (NULL) sit apart at the front.
CREATE INDEX mr_job_ready ON mr_job (state, tenant_id, run_at, id);
CREATE UNIQUE INDEX mr_job_signature ON mr_job (tenant_id, live_signature);
