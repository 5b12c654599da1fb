-- Schedules: a cron trigger per row. A node fires a due row by advancing next_fire_at and inserting the
-- SCHEDULED job in one transaction. state is ACTIVE, PAUSED or COMPLETED (no fire time left); whether an
-- active schedule is WAITING or EXECUTING is read from the queue (is last_job_id still there?).
CREATE TABLE mr_schedule (
    id             UUID          PRIMARY KEY,
    tenant_id      VARCHAR(64)   NOT NULL,
    name           VARCHAR(255)  NOT NULL,
    cron           VARCHAR(500)  NOT NULL,
    zone           VARCHAR(64)   NOT NULL,
    class_name     VARCHAR(500)  NOT NULL,
    payload        CLOB          NOT NULL,
    state          VARCHAR(10)   NOT NULL,
    misfire_policy VARCHAR(10)   NOT NULL,
    allow_overlap  BOOLEAN       NOT NULL,
    next_fire_at   TIMESTAMP WITH TIME ZONE,
    last_fire_at   TIMESTAMP WITH TIME ZONE,
    last_job_id    UUID,
    fire_count     BIGINT        NOT NULL DEFAULT 0,
    skip_count     BIGINT        NOT NULL DEFAULT 0,
    last_error     VARCHAR(1000),
    created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at     TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE UNIQUE INDEX mr_schedule_name ON mr_schedule (tenant_id, name);
CREATE INDEX mr_schedule_due ON mr_schedule (state, next_fire_at);
