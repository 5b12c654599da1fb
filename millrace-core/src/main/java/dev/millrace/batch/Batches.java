package dev.millrace.batch;

import dev.millrace.JobId;
import dev.millrace.JobRecord;
import dev.millrace.JobStatus;
import dev.millrace.JobType;
import dev.millrace.TenantId;

import java.util.List;

/** Batch progress, chunks and errors, and the tenant's flex queue. */
public interface Batches {

    /** The batch's chunk jobs ({@link JobType#BATCH_CHUNK}) in chunk order, each with its own status. */
    List<JobRecord> chunks(TenantId tenant, JobId batch);

    /** The batch's errors, oldest first. */
    List<BatchError> errors(TenantId tenant, JobId batch);

    /** The tenant's flex queue: its {@link JobStatus#HOLDING} batches, front (position 0) first. */
    List<JobId> flexQueue(TenantId tenant);

    /**
     * Moves a holding batch to a position of the flex queue (0 is the front; a position past the end means
     * the end).
     *
     * @return true when its position changed, false when it was already there
     * @throws IllegalArgumentException when the job is not holding in this tenant's flex queue, or the
     *         position is negative
     */
    boolean moveTo(TenantId tenant, JobId batch, int position);

    /** Moves a holding batch to the front of the flex queue; see {@link #moveTo}. */
    default boolean moveToFront(TenantId tenant, JobId batch) {
        return moveTo(tenant, batch, 0);
    }

    /** Moves a holding batch to the end of the flex queue; see {@link #moveTo}. */
    default boolean moveToEnd(TenantId tenant, JobId batch) {
        return moveTo(tenant, batch, Integer.MAX_VALUE);
    }

    /**
     * Moves a holding batch just before another holding batch (SPEC BAT-15).
     *
     * @return true when its position changed, false when it was already there
     * @throws IllegalArgumentException when either job is not holding in this tenant's flex queue, or they are the
     *         same job
     */
    boolean moveBefore(TenantId tenant, JobId batch, JobId other);

    /** Moves a holding batch just after another holding batch; see {@link #moveBefore}. */
    boolean moveAfter(TenantId tenant, JobId batch, JobId other);
}
