package dev.millrace.monitoring;

import dev.millrace.JobStatus;
import dev.millrace.JobType;
import dev.millrace.TenantId;

import java.time.Duration;
import java.time.Instant;

/**
 * The timings of a job that ended, for metrics ({@link Monitoring#takeEnded}, {@link Monitoring#endedOnNode}).
 *
 * @param tenant its tenant
 * @param type its type
 * @param status the terminal status
 * @param waited from its earliest start ({@code runAt}) to its last start, or null when it never started
 * @param ran from its last start to its end, or null when it never started
 * @param completedAt when it ended
 */
public record EndedJob(TenantId tenant, JobType type, JobStatus status, Duration waited, Duration ran,
                       Instant completedAt) {
}
