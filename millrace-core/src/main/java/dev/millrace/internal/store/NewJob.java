package dev.millrace.internal.store;

import dev.millrace.JobType;
import dev.millrace.TenantId;

import java.time.Instant;
import java.util.UUID;

/**
 * A job to insert: one row in the job table and one in the queue.
 *
 * @param id the new job's id
 * @param tenant its tenant
 * @param type its type
 * @param className the class that runs it
 * @param methodName a future's method, or null
 * @param payload the job's state (or a future's arguments) as JSON
 * @param parentId the job that enqueued it, or null
 * @param stackDepth its depth in its chain
 * @param maxStackDepth the chain's maximum, or null for none
 * @param createdAt when it was enqueued
 * @param runAt the earliest time it may start
 * @param signature its duplicate signature, or null
 * @param requestId the request id shared with its finalizer, or null
 * @param consecutiveFailures failed executions before it in a finalizer-driven retry chain
 */
public record NewJob(UUID id, TenantId tenant, JobType type, String className, String methodName, String payload,
                     UUID parentId, int stackDepth, Integer maxStackDepth, Instant createdAt, Instant runAt,
                     String signature, String requestId, int consecutiveFailures) {
}
