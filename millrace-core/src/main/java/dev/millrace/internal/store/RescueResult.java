package dev.millrace.internal.store;

import dev.millrace.JobStatus;
import dev.millrace.JobType;
import dev.millrace.TenantId;

import java.time.Instant;
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

    /**
     * A job a rescue pass moved from PROCESSING to {@code status}; its type is for its job status event, its times
     * for the metrics of its end.
     *
     * @param runAt its earliest start
     * @param startedAt the start of the attempt whose lease expired
     * @param endedAt when the pass ended it, or null when it was re-queued
     */
    public record Rescued(UUID id, TenantId tenant, JobType type, JobStatus status, Instant runAt, Instant startedAt,
                          Instant endedAt) {
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
