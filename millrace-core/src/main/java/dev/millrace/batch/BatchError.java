package dev.millrace.batch;

import dev.millrace.JobId;

import java.time.Instant;
import java.util.List;

/**
 * One unhandled exception of a batch, as the batch errors table keeps it.
 *
 * @param batchJobId the batch
 * @param chunkJobId the chunk that failed (phase {@link BatchPhase#EXECUTE}), or null
 * @param phase where it happened
 * @param exceptionType the exception's class name
 * @param message its message (at most 5,000 characters), possibly null
 * @param stackTrace its stack trace (at most 5,000 characters)
 * @param failedRecordIds the ids of the failed chunk's records ({@link Batchable#recordId}), empty outside a chunk
 * @param scopeTruncated whether the ids were cut at 40,000 characters
 * @param occurredAt when it was recorded
 */
public record BatchError(JobId batchJobId, JobId chunkJobId, BatchPhase phase, String exceptionType, String message,
                         String stackTrace, List<String> failedRecordIds, boolean scopeTruncated, Instant occurredAt) {
}
