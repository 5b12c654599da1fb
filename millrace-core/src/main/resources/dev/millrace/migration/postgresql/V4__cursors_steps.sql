-- Cursors: a query's result fixed at open. Rows live in pages (a JSON array of rows each), keyed by
-- (cursor, page number), so a fetch anywhere reads one or a few pages and the result never moves.
CREATE TABLE mr_cursor (
    id           UUID          PRIMARY KEY,
    tenant_id    VARCHAR(64)   NOT NULL,
    job_id       UUID,
    source       VARCHAR(1000) NOT NULL,
    columns      TEXT          NOT NULL,
    page_size    INT           NOT NULL,
    num_records  BIGINT        NOT NULL,
    created_at   TIMESTAMPTZ   NOT NULL,
    expires_at   TIMESTAMPTZ   NOT NULL
);
CREATE INDEX mr_cursor_expires ON mr_cursor (expires_at);

CREATE TABLE mr_cursor_page (
    cursor_id  UUID NOT NULL,
    page_no    INT  NOT NULL,
    row_count  INT  NOT NULL,
    data       TEXT NOT NULL,
    PRIMARY KEY (cursor_id, page_no)
);

-- Per-tenant cursor allocations, counted per hour; a rolling 24 hours is the sum of the last 24 rows.
CREATE TABLE mr_cursor_usage (
    tenant_id       VARCHAR(64) NOT NULL,
    hour_start      TIMESTAMPTZ NOT NULL,
    cursors_opened  INT         NOT NULL DEFAULT 0,
    rows_fetched    BIGINT      NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, hour_start)
);

-- Per-tenant cursor limits (JSON of CursorPolicy; missing keys take the defaults). No row: the defaults.
CREATE TABLE mr_cursor_policy (
    tenant_id   VARCHAR(64) PRIMARY KEY,
    policy      TEXT        NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
