package dev.millrace.monitoring;

import dev.millrace.JobStatus;
import dev.millrace.TenantId;

import java.time.Instant;

/**
 * How many jobs of a tenant reached a terminal status in one minute.
 *
 * @param minute the start of the minute (UTC)
 * @param tenant the tenant
 * @param status the terminal status reached
 * @param count how many
 */
public record MinuteCount(Instant minute, TenantId tenant, JobStatus status, long count) {
}
