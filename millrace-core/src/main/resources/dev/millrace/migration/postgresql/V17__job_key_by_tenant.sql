-- Jobs are found by tenant and id (issue 3): (tenant_id, id) becomes the primary key, and the two indexes it makes
-- redundant go. Every insert wrote three index entries (the key on id, (tenant_id, id) for pages, the ready index);
-- now two. Ids are time-ordered (UUIDv7), so within a tenant the key is also creation order: it serves the job pages,
-- created ranges and the pruner (completed before a cutoff implies created before it), which used mr_job_completed.
-- Nothing references mr_job's key (no foreign keys), so it can be swapped in place.
CREATE UNIQUE INDEX mr_job_key ON mr_job (tenant_id, id);
ALTER TABLE mr_job DROP CONSTRAINT mr_job_pkey, ADD CONSTRAINT mr_job_pkey PRIMARY KEY USING INDEX mr_job_key;
DROP INDEX mr_job_tenant_id;
DROP INDEX mr_job_completed;
