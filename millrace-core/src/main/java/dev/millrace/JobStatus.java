package dev.millrace;

/**
 * The status of a job. Transitions: {@code HOLDING → QUEUED → (PREPARING →) PROCESSING → COMPLETED | FAILED};
 * {@code ABORTED} is reachable from any status that is not terminal. Terminal statuses never change.
 */
public enum JobStatus {
    /** Waiting in the tenant's flex queue for a slot (batches). */
    HOLDING,
    /** Waiting for a worker, possibly until a delay has passed. */
    QUEUED,
    /** A batch's start is running. */
    PREPARING,
    /** Running on a node. */
    PROCESSING,
    /** Ended without an unhandled exception. */
    COMPLETED,
    /** Stopped by {@code abort} before it ended. */
    ABORTED,
    /** Ended with an unhandled exception, or given up after its leases expired too often. */
    FAILED;

    /** Whether the status is final: {@code COMPLETED}, {@code ABORTED} or {@code FAILED}. */
    public boolean isTerminal() {
        return this == COMPLETED || this == ABORTED || this == FAILED;
    }
}
