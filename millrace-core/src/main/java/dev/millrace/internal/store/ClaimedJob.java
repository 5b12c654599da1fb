package dev.millrace.internal.store;

import dev.millrace.JobType;
import dev.millrace.TenantId;

import java.time.Instant;
import java.util.UUID;

/**
 * A job a node has claimed: everything needed to run it, and the attempt that fences its completion.
 *
 * @param id the job
 * @param tenant its tenant
 * @param type its type
 * @param className the class that runs it
 * @param methodName a future's method, or null
 * @param payload its state as JSON
 * @param parentId the job that enqueued it, or null
 * @param stackDepth its chain depth
 * @param maxStackDepth the chain's maximum, or null
 * @param attempt this claim's attempt number (1 on the first run)
 * @param createdAt when it was enqueued
 * @param runAt the earliest start its delay allowed
 * @param requestId the request id shared with its finalizer, or null
 * @param consecutiveFailures failed executions before it in a finalizer-driven retry chain
 * @param startedAt the start this claim stored (the claim's time; a schedule's fire time), for the metrics of its end
 */
public record ClaimedJob(UUID id, TenantId tenant, JobType type, String className, String methodName, String payload,
                         UUID parentId, int stackDepth, Integer maxStackDepth, int attempt, Instant createdAt,
                         Instant runAt, String requestId, int consecutiveFailures,
                         Instant startedAt) {
}
