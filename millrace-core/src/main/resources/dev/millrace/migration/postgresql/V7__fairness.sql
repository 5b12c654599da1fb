-- Fair usage across nodes (issue 7). A lane is one tenant's jobs of one type that are capped or rate limited:
-- claims of the lane take its row lock, so all nodes see one count of running jobs and one token bucket.
CREATE TABLE mr_fair_lane (
    tenant_id   VARCHAR(64)      NOT NULL,
    job_type    VARCHAR(20)      NOT NULL,
    tokens      DOUBLE PRECISION NOT NULL,
    refilled_at TIMESTAMPTZ      NOT NULL,
    PRIMARY KEY (tenant_id, job_type)
);

-- The daily async execution allocation (LIM-6): executions accepted per tenant, hour and node, flushed by each
-- node about once a second; the rolling 24 hours are the last 24 hour rows.
CREATE TABLE mr_usage_hour (
    tenant_id   VARCHAR(64)  NOT NULL,
    hour_start  TIMESTAMPTZ  NOT NULL,
    node        VARCHAR(100) NOT NULL,
    executions  BIGINT       NOT NULL,
    PRIMARY KEY (tenant_id, hour_start, node)
);
