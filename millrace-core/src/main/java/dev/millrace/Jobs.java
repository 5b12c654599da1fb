package dev.millrace;

import java.util.List;
import java.util.Optional;

/** Reading and stopping jobs: the monitoring side of {@link Millrace}. Every call is scoped to one tenant. */
public interface Jobs {

    /** A job of the tenant, or empty when no such job exists in it. */
    Optional<JobRecord> find(TenantId tenant, JobId id);

    /** A page of the tenant's jobs matching the query. */
    JobPage find(JobQuery query);

    /**
     * How many of the query's jobs are in each status (the query's cursor and limit are ignored). Statuses with no
     * job are absent.
     */
    java.util.Map<JobStatus, Long> countByStatus(JobQuery query);

    /** The job's log lines, oldest first. */
    List<JobLogEntry> log(TenantId tenant, JobId id);

    /**
     * Aborts a job that has not ended: a queued job never starts; a running one is interrupted at its next
     * safe point ({@link ExecutionContext#checkAbort()}), rolled back, and ends {@link JobStatus#ABORTED}.
     *
     * @throws JobNotFoundException when the job is unknown in this tenant or already ended
     */
    void abort(TenantId tenant, JobId id);
}
