-- Jobs are found by tenant and id (issue 3): (tenant_id, id) becomes the primary key, and the two indexes it makes
-- redundant go (on H2 every update rewrites every B-tree of the row, so each index dropped is work saved per claim and
-- per completion). Ids are time-ordered (UUIDv7), so within a tenant the key is also creation order: it serves the
-- job pages, created ranges and the pruner, which used mr_job_completed (a full index here: H2 has no partial ones).
ALTER TABLE mr_job DROP PRIMARY KEY;
ALTER TABLE mr_job ADD CONSTRAINT mr_job_pkey PRIMARY KEY (tenant_id, id);
DROP INDEX mr_job_tenant_id;
DROP INDEX mr_job_completed;
