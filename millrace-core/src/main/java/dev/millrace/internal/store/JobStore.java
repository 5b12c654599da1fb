package dev.millrace.internal.store;

import dev.millrace.JobId;
import dev.millrace.JobLogEntry;
import dev.millrace.JobPage;
import dev.millrace.JobQuery;
import dev.millrace.JobRecord;
import dev.millrace.TenantId;

import java.sql.Connection;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The job store, named by the transitions of a job's life. One SQL implementation serves every database
 * through a dialect. Methods that take a {@link Connection} work in the caller's transaction and never
 * commit it; the others run in transactions of their own.
 */
public interface JobStore {

    /**
     * Inserts jobs, in the caller's transaction. Throws {@link dev.millrace.DuplicateJobException} when a
     * job's duplicate signature is held by an active job of its tenant, leaving the transaction usable.
     */
    void insert(Connection connection, List<NewJob> jobs);

    /** Inserts jobs in a transaction of their own. */
    void insert(List<NewJob> jobs);

    /**
     * Inserts a job that is ready now already claimed by {@code node} (running, attempt 1, started at its creation),
     * in a transaction of its own, so the node can start it without a claim; throws
     * {@link dev.millrace.DuplicateJobException} as {@link #insert(List)} does.
     */
    ClaimedJob insertClaimed(NewJob job, String node, Instant leaseUntil);

    /** Tenants with jobs ready at {@code now}, at most {@code max}, in tenant order. */
    List<TenantId> readyTenants(Instant now, int max);

    /** The earliest start time of a job not yet ready, if any. */
    Optional<Instant> nextRunAt(Instant now);

    /** Claims ready jobs fairly across tenants, stamping node, lease and a new attempt; marks them PROCESSING. */
    List<ClaimedJob> claim(ClaimRequest request);

    /**
     * What {@link #completeAndClaim} did.
     *
     * @param ended the ids of the attempts it ended (not those whose lease was lost)
     * @param claimed the jobs it claimed
     */
    record Carried(Set<UUID> ended, List<ClaimedJob> claimed) {
    }

    /**
     * Ends these attempts and claims, in one transaction: as {@link #complete(List)} then {@link #claim(ClaimRequest)},
     * with one commit. Completions whose lease was lost are left alone, as {@link #complete(List)} does.
     */
    Carried completeAndClaim(List<Completion> completions, ClaimRequest request);

    /**
     * Whether claims should carry pending completions ({@link #completeAndClaim}): true where a commit costs more
     * than its statements (H2 writes a chunk of every page dirtied since the last one at each commit).
     */
    boolean claimsCarryCompletions();

    /** Claims one job by id if it is ready at {@code now} (for running a chosen job inline). */
    Optional<ClaimedJob> claimJob(TenantId tenant, UUID id, String node, Instant now, Instant leaseUntil);

    /**
     * Ends attempts in the caller's transaction. Returns the ids whose attempt still held the lease; the
     * others were left alone (their lease expired and another attempt owns them).
     */
    Set<UUID> complete(Connection connection, List<Completion> completions);

    /** Ends attempts in a transaction of their own. */
    Set<UUID> complete(List<Completion> completions);

    /** Puts jobs claimed by this node but never started back in the queue, as if never claimed. */
    int release(String node, Collection<ClaimedJob> jobs);

    /** Extends the leases of every job this node runs; returns how many. */
    int renewLeases(String node, Instant leaseUntil);

    /** The jobs this node runs whose abort was requested. */
    Set<UUID> abortRequested(String node);

    /** Re-queues jobs whose lease expired before {@code now}; fails those out of attempts. */
    RescueResult rescue(Instant now, int maxAttempts);

    /** Aborts a job of the tenant, or asks its node to. */
    AbortOutcome abort(TenantId tenant, UUID id, Instant now);

    /** Deletes terminal jobs (and their logs) that ended before {@code before}, at most {@code max}. */
    int prune(TenantId tenant, Instant before, int max);

    /** One job of the tenant. */
    Optional<JobRecord> find(TenantId tenant, JobId id);

    /** A page of jobs. */
    JobPage find(JobQuery query);

    /** Counts the query's jobs by status, ignoring its cursor and limit. */
    java.util.Map<dev.millrace.JobStatus, Long> countByStatus(JobQuery query);

    /** Appends log lines in a transaction of their own. */
    void appendLog(List<LogRow> rows);

    /** A job's log, oldest first. */
    List<JobLogEntry> log(TenantId tenant, JobId id);
}
