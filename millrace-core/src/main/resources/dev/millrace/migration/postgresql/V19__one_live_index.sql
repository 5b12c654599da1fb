-- One index over the live rows (issue 3) in place of four partial ones: ready (state 0, by tenant and run_at),
-- running (1: leases, a node's jobs, a lane's count) and held by a flag (3, by tenant) are each a prefix of it, and
-- the running and held sets are small enough to scan. A claim then adds one index entry, not two (leases and node),
-- every statement on mr_job opens three indexes fewer, and a lease renewal changes no indexed column, so PostgreSQL
-- can update the row in place (HOT) with no index entry at all.
CREATE INDEX mr_job_live ON mr_job (state, tenant_id, run_at, id) WHERE state IS NOT NULL;
DROP INDEX mr_job_ready;
DROP INDEX mr_job_leases;
DROP INDEX mr_job_node;
DROP INDEX mr_job_flag_held;
