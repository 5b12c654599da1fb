-- A batch beside its BATCH job row: its place in the flex queue, its phase and its state between chunks.
-- admission: SCHEDULED (waiting for its time), HOLDING (in the flex queue), ACTIVE (queued or running), DONE.
CREATE TABLE mr_batch (
    job_id         UUID          PRIMARY KEY,
    tenant_id      VARCHAR(64)   NOT NULL,
    scope          INT           NOT NULL,
    admission      VARCHAR(10)   NOT NULL,
    flex_position  BIGINT,
    not_before     TIMESTAMPTZ,
    phase          VARCHAR(10)   NOT NULL,
    state          TEXT,
    record_type    VARCHAR(500),
    total_records  BIGINT        NOT NULL DEFAULT 0,
    created_at     TIMESTAMPTZ   NOT NULL
);
CREATE INDEX mr_batch_admission ON mr_batch (tenant_id, admission, flex_position);
CREATE INDEX mr_batch_waiting ON mr_batch (admission) WHERE admission IN ('SCHEDULED', 'HOLDING', 'ACTIVE');

-- The chunks cut while a batch starts: each one's records (JSON) and its BATCH_CHUNK job. Deleted when the batch ends.
CREATE TABLE mr_batch_chunk (
    batch_id      UUID  NOT NULL,
    seq           INT   NOT NULL,
    job_id        UUID  NOT NULL,
    record_count  INT   NOT NULL,
    records       TEXT  NOT NULL,
    PRIMARY KEY (batch_id, seq)
);
-- Written once and read once: not worth pglz's CPU on the way in.
ALTER TABLE mr_batch_chunk ALTER COLUMN records SET STORAGE EXTERNAL;

-- Unhandled exceptions of batches, kept with the job (the event bus publishes them as BatchErrorEvent).
CREATE TABLE mr_batch_error (
    id                 BIGSERIAL     PRIMARY KEY,
    batch_id           UUID          NOT NULL,
    tenant_id          VARCHAR(64)   NOT NULL,
    chunk_job_id       UUID,
    phase              VARCHAR(8)    NOT NULL,
    exception_type     VARCHAR(500)  NOT NULL,
    message            TEXT,
    stack_trace        TEXT,
    failed_record_ids  TEXT,
    scope_truncated    BOOLEAN       NOT NULL DEFAULT FALSE,
    occurred_at        TIMESTAMPTZ   NOT NULL
);
CREATE INDEX mr_batch_error_batch ON mr_batch_error (batch_id, id);
