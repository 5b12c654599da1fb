-- Per-tenant event limits (JSON of EventPolicy; missing keys take the defaults). No row: the defaults.
CREATE TABLE mr_event_policy (
    tenant_id   VARCHAR(64) PRIMARY KEY,
    policy      TEXT        NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

-- Events published per tenant and clock hour (the hourly publishing allocation, counted across nodes).
CREATE TABLE mr_event_usage (
    tenant_id   VARCHAR(64) NOT NULL,
    hour_start  TIMESTAMPTZ NOT NULL,
    published   BIGINT      NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, hour_start)
);
