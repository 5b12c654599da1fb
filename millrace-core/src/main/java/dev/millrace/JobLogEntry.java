package dev.millrace;

import java.time.Instant;

/**
 * One stored job log line.
 *
 * @param jobId the job that wrote it
 * @param time when it was logged
 * @param level its level
 * @param message the formatted message
 * @param scenario the scenario in effect, or null
 * @param transactionId the execution's transaction id
 * @param parentTransactionId the transaction that started it, or null
 * @param error the exception logged with it, or null
 */
public record JobLogEntry(JobId jobId, Instant time, LogLevel level, String message, String scenario,
                          String transactionId, String parentTransactionId, JobError error) {
}
