package dev.millrace.batch;

import dev.millrace.ExecutionContext;
import dev.millrace.JobId;

import java.util.Optional;

/**
 * The context of a batch's {@code start}, of one chunk's {@code execute}, or of its {@code finish}. Its
 * {@link #jobId()} is the running job: the chunk's own job inside {@code execute}, the batch otherwise.
 */
public interface BatchContext extends ExecutionContext {

    /** The batch's job id (the one {@code executeBatch} returned). */
    JobId batchJobId();

    /** The running chunk's job id inside {@code execute}; empty in {@code start} and {@code finish}. */
    Optional<JobId> chunkJobId();

    /** Which part of the batch runs. */
    BatchPhase phase();
}
