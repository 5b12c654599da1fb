package dev.millrace;

import java.time.Instant;

/**
 * A job as monitoring sees it: one row of the job table.
 *
 * @param id the job's id
 * @param tenant its tenant
 * @param type what kind of job it is
 * @param className the queueable, finalizer or future class
 * @param methodName the future's method, or null
 * @param status where it is in its life
 * @param extendedStatus a short text of the first error; for a step workflow's execution, its workflow, step and
 *                       progress (before the error, if it failed); or null
 * @param numberOfErrors 0 or 1 for a queueable or future
 * @param jobItemsProcessed items done: 0 or 1 for a queueable or future
 * @param totalJobItems items in all: 1 for a queueable or future
 * @param parentJobId the job that enqueued it (the queueable for a finalizer), or null
 * @param stackDepth its depth in its chain, 1 for the first job
 * @param maxStackDepth the chain's maximum depth, or null when unlimited
 * @param attempt how many times a node has started it
 * @param node the node that ran it last, or null
 * @param createdAt when it was enqueued
 * @param runAt the earliest start allowed by its delay
 * @param startedAt when its last attempt started, or null
 * @param completedAt when it reached a terminal status, or null
 */
public record JobRecord(JobId id, TenantId tenant, JobType type, String className, String methodName,
                        JobStatus status, String extendedStatus, int numberOfErrors, int jobItemsProcessed,
                        int totalJobItems, JobId parentJobId, int stackDepth, Integer maxStackDepth, int attempt,
                        String node, Instant createdAt, Instant runAt, Instant startedAt, Instant completedAt) {
}
