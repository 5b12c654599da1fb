package dev.millrace.monitoring;

import dev.millrace.JobStatus;
import dev.millrace.JobType;
import dev.millrace.TenantId;

/**
 * How many jobs of one tenant, type and status the store holds.
 *
 * @param tenant the tenant
 * @param type the job type
 * @param status the status
 * @param count how many
 */
public record JobCount(TenantId tenant, JobType type, JobStatus status, long count) {
}
