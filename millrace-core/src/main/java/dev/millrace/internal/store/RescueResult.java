package dev.millrace.internal.store;

import dev.millrace.JobStatus;
import dev.millrace.JobType;
import dev.millrace.TenantId;

import java.util.List;
import java.util.UUID;

/**
 * What one rescue pass did with expired leases.
 *
 * @param requeued jobs made ready again
 * @param failed jobs failed because they ran out of attempts
 * @param aborted jobs ended ABORTED because an abort was pending
 * @param jobs each job touched and the status it moved to (for the job status channel)
 */
public record RescueResult(int requeued, int failed, int aborted, List<Rescued> jobs) {

    /** A job a rescue pass moved from PROCESSING to {@code status}; its type is for its job status event. */
    public record Rescued(UUID id, TenantId tenant, JobType type, JobStatus status) {
    }

    /** Counts only. */
    public RescueResult(int requeued, int failed, int aborted) {
        this(requeued, failed, aborted, List.of());
    }

    /** Jobs touched in all. */
    public int total() {
        return requeued + failed + aborted;
    }
}
