package dev.millrace.internal.store;

import dev.millrace.TenantId;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The schedule store, named by the transitions of a schedule's life: created, fired (or skipped), paused,
 * resumed, re-timed, deleted. Firing claims due rows so that exactly one node fires each occurrence, and
 * inserts the occurrence's job in the same transaction that advances the row.
 */
public interface ScheduleStore {

    /** What {@link #insert} found. */
    enum InsertOutcome {
        /** The schedule was stored. */
        INSERTED,
        /** Another schedule of the tenant has the name; nothing was stored. */
        DUPLICATE_NAME,
        /** The tenant has as many schedules as its policy allows; nothing was stored. */
        QUOTA_FULL
    }

    /**
     * Stores a schedule unless its name is taken in its tenant or the tenant already has {@code maxPerTenant}
     * schedules that have not completed; the checks and the insert are one transaction, serialised per tenant.
     * A completed schedule with the same name is replaced.
     */
    InsertOutcome insert(NewSchedule schedule, int maxPerTenant);

    /**
     * Fires due schedules: claims up to {@code max} active rows whose next fire time is at or before
     * {@code horizon} (rows another node is firing are skipped), asks the planner what each does, and in the
     * same transaction advances the rows and inserts the jobs of those that fire.
     *
     * <p>With {@code claimFor}, the jobs are also claimed for that node in the same transaction (attempt 1, the
     * lease given, started at their fire time), so the node can start them from memory when their time comes.
     *
     * @param now the time stamped on the rows
     * @param claimFor the node that claims the jobs it fires, or null to leave them queued for any node
     * @return the rows this call advanced (fired, skipped or paused; rows another node advanced first are not
     *         counted) and the jobs it claimed
     */
    Fired fireDue(Instant now, Instant horizon, int max, ClaimFor claimFor, FirePlanner planner);

    /**
     * A node claiming the jobs it fires.
     *
     * @param node the node
     * @param leaseUntil the lease stamped on them
     */
    record ClaimFor(String node, Instant leaseUntil) {
    }

    /**
     * What a {@link #fireDue} call did.
     *
     * @param advanced rows advanced
     * @param claimed jobs claimed for the node (empty without {@code claimFor})
     */
    record Fired(int advanced, List<ClaimedJob> claimed) {
    }

    /** The earliest next fire time of an active schedule, if any. */
    Optional<Instant> nextFireAt();

    /** One schedule of the tenant. */
    Optional<ScheduleRow> find(TenantId tenant, UUID id);

    /** One schedule of the tenant by name. */
    Optional<ScheduleRow> findByName(TenantId tenant, String name);

    /** Every schedule of the tenant, by name. */
    List<ScheduleRow> list(TenantId tenant);

    /** Pauses an active schedule; false when the tenant has no such schedule. */
    boolean pause(TenantId tenant, UUID id, Instant now);

    /** Resumes a schedule with its next fire time (null: completed); false when the tenant has no such schedule. */
    boolean resume(TenantId tenant, UUID id, Instant nextFireAt, Instant now);

    /** Sets a schedule's expression, stored state and next fire time; false when the tenant has no such schedule. */
    boolean changeCron(TenantId tenant, UUID id, String cron, String state, Instant nextFireAt, Instant now);

    /** Deletes a schedule; false when the tenant has no such schedule. */
    boolean delete(TenantId tenant, UUID id);
}
