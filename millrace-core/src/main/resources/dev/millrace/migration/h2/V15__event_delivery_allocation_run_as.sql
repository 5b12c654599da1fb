-- Events delivered per tenant and clock hour to external clients (SPEC EVT-16): the 24-hour delivery allocation,
-- summed over the last 24 hourly rows and counted across nodes. Rows are now kept for a day, not an hour.
ALTER TABLE mr_event_usage ADD COLUMN delivered BIGINT NOT NULL DEFAULT 0;

-- The identity a subscription's handler runs as (SPEC EVT-9): in its delivery context, the MDC and as the author of
-- what the platform audits during a delivery. Existing subscriptions get the default.
ALTER TABLE mr_subscription ADD COLUMN run_as VARCHAR(200) NOT NULL DEFAULT 'automated-process';
