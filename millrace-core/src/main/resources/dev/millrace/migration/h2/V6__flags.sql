-- Feature flags: a named boolean per tenant. A missing row reads false. Jobs of a class bound to a flag wait
-- in mr_queue state 3 (held by a flag, status HOLDING) while it is off.
CREATE TABLE mr_flag (
    tenant_id   VARCHAR(64)  NOT NULL,
    name        VARCHAR(100) NOT NULL,
    enabled     BOOLEAN      NOT NULL,
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (tenant_id, name)
);
-- mr_queue_ready (state, tenant_id, ...) already serves the held rows of a tenant.
