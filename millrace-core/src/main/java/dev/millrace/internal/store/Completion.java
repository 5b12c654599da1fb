package dev.millrace.internal.store;

import dev.millrace.JobStatus;
import dev.millrace.TenantId;

import java.time.Instant;
import java.util.UUID;

/**
 * How one attempt of a job ended. The store applies it only while the attempt still holds the job's lease,
 * so a late completion from a node whose lease expired is rejected.
 *
 * @param id the job
 * @param tenant its tenant (with the id, the job's key)
 * @param attempt the attempt that ran
 * @param status the terminal status
 * @param extendedStatus the first error's summary, or null
 * @param completedAt when it ended
 */
public record Completion(UUID id, TenantId tenant, int attempt, JobStatus status, String extendedStatus, Instant completedAt) {
}
