-- Feature flags: a named boolean per tenant. A missing row reads false. Jobs of a class bound to a flag wait
-- in mr_queue state 3 (held by a flag, status HOLDING) while it is off.
CREATE TABLE mr_flag (
    tenant_id   VARCHAR(64)  NOT NULL,
    name        VARCHAR(100) NOT NULL,
    enabled     BOOLEAN      NOT NULL,
    updated_at  TIMESTAMPTZ  NOT NULL,
    PRIMARY KEY (tenant_id, name)
);
CREATE INDEX mr_queue_flag_held ON mr_queue (tenant_id) WHERE state = 3;
