package dev.millrace.internal.store;

import dev.millrace.JobError;
import dev.millrace.LogLevel;
import dev.millrace.TenantId;

import java.time.Instant;
import java.util.UUID;

/**
 * A job log line to store.
 *
 * @param jobId the job
 * @param tenant its tenant
 * @param time when it was logged
 * @param level its level
 * @param message the formatted message
 * @param scenario the scenario, or null
 * @param transactionId the execution's transaction id
 * @param parentTransactionId the starting transaction's id, or null
 * @param error the exception logged with it, or null
 */
public record LogRow(UUID jobId, TenantId tenant, Instant time, LogLevel level, String message, String scenario,
                     String transactionId, String parentTransactionId, JobError error) {
}
