-- Tenants and their policy (JSON of TenantPolicy; missing keys take the defaults).
CREATE TABLE mr_tenant (
    tenant_id   VARCHAR(64) PRIMARY KEY,
    policy      TEXT        NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

-- Every job, for monitoring: kept until its tenant's retention after it ends.
CREATE TABLE mr_job (
    id                   UUID          PRIMARY KEY,
    tenant_id            VARCHAR(64)   NOT NULL,
    job_type             VARCHAR(20)   NOT NULL,
    class_name           VARCHAR(500)  NOT NULL,
    method_name          VARCHAR(200),
    status               VARCHAR(12)   NOT NULL,
    extended_status      VARCHAR(1000),
    number_of_errors     INT           NOT NULL DEFAULT 0,
    items_processed      INT           NOT NULL DEFAULT 0,
    total_items          INT           NOT NULL DEFAULT 1,
    parent_job_id        UUID,
    stack_depth          INT           NOT NULL DEFAULT 1,
    max_stack_depth      INT,
    attempt              INT           NOT NULL DEFAULT 0,
    node                 VARCHAR(100),
    created_at           TIMESTAMPTZ   NOT NULL,
    run_at               TIMESTAMPTZ   NOT NULL,
    started_at           TIMESTAMPTZ,
    completed_at         TIMESTAMPTZ,
    payload              TEXT          NOT NULL,
    signature            VARCHAR(300),
    request_id           VARCHAR(40),
    consecutive_failures INT           NOT NULL DEFAULT 0
);
CREATE INDEX mr_job_tenant_id ON mr_job (tenant_id, id);
CREATE INDEX mr_job_parent ON mr_job (parent_job_id) WHERE parent_job_id IS NOT NULL;
CREATE INDEX mr_job_completed ON mr_job (tenant_id, completed_at) WHERE completed_at IS NOT NULL;

-- The hot path: only jobs that are ready (state 0) or running (state 1). A row leaves when its job ends.
CREATE TABLE mr_queue (
    job_id           UUID        PRIMARY KEY,
    tenant_id        VARCHAR(64) NOT NULL,
    job_type         VARCHAR(20) NOT NULL,
    state            SMALLINT    NOT NULL,
    run_at           TIMESTAMPTZ NOT NULL,
    attempt          INT         NOT NULL DEFAULT 0,
    node             VARCHAR(100),
    lease_expires_at TIMESTAMPTZ,
    abort_requested  BOOLEAN     NOT NULL DEFAULT FALSE,
    signature        VARCHAR(300)
);
CREATE INDEX mr_queue_ready ON mr_queue (tenant_id, run_at, job_id) WHERE state = 0;
CREATE INDEX mr_queue_leases ON mr_queue (lease_expires_at) WHERE state = 1;
CREATE INDEX mr_queue_node ON mr_queue (node) WHERE state = 1;
CREATE UNIQUE INDEX mr_queue_signature ON mr_queue (tenant_id, signature) WHERE signature IS NOT NULL;

-- Job log lines, written in their own transactions so they survive a job's rollback.
CREATE TABLE mr_job_log (
    id                    BIGSERIAL     PRIMARY KEY,
    job_id                UUID          NOT NULL,
    tenant_id             VARCHAR(64)   NOT NULL,
    logged_at             TIMESTAMPTZ   NOT NULL,
    level                 VARCHAR(5)    NOT NULL,
    message               TEXT          NOT NULL,
    scenario              VARCHAR(200),
    transaction_id        VARCHAR(40)   NOT NULL,
    parent_transaction_id VARCHAR(40),
    error_type            VARCHAR(500),
    error_message         TEXT,
    error_stack           TEXT
);
CREATE INDEX mr_job_log_job ON mr_job_log (job_id, id);
