package dev.millrace.schedule;

import dev.millrace.JobId;
import dev.millrace.JobType;
import dev.millrace.Millrace;
import dev.millrace.TenantId;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Reading and administering schedules: the schedule side of {@link Millrace}. Every call is scoped to one
 * tenant; a schedule of another tenant is treated as unknown. Schedules are created with
 * {@link Millrace#schedule}.
 */
public interface Schedules {

    /** A schedule of the tenant, or empty when no such schedule exists in it. */
    Optional<ScheduleRecord> find(TenantId tenant, ScheduleId id);

    /** A schedule of the tenant by name, or empty. */
    Optional<ScheduleRecord> findByName(TenantId tenant, String name);

    /** Every schedule of the tenant, by name. */
    List<ScheduleRecord> list(TenantId tenant);

    /**
     * Pauses a schedule: it does not fire until resumed. A job it already enqueued is not stopped.
     *
     * @throws ScheduleNotFoundException when the tenant has no such schedule
     */
    ScheduleRecord pause(TenantId tenant, ScheduleId id);

    /**
     * Resumes a paused schedule at its next fire time after now; occurrences due while it was paused do not fire.
     * A schedule whose expression has no fire time left becomes {@link ScheduleState#COMPLETED}; one that is not
     * paused is left as it is.
     *
     * @throws ScheduleNotFoundException when the tenant has no such schedule
     */
    ScheduleRecord resume(TenantId tenant, ScheduleId id);

    /**
     * Changes a schedule's cron expression; it takes effect from the next fire, which is computed from now with the
     * new expression. A paused schedule stays paused.
     *
     * @throws IllegalArgumentException when the expression is invalid (naming the field and what was expected) or has
     *         no fire time left; the schedule is then unchanged
     * @throws ScheduleNotFoundException when the tenant has no such schedule
     */
    ScheduleRecord changeCron(TenantId tenant, ScheduleId id, String cron);

    /**
     * Deletes a schedule (Salesforce's abort of a trigger): it never fires again. A job it already enqueued is not
     * stopped.
     *
     * @throws ScheduleNotFoundException when the tenant has no such schedule
     */
    void delete(TenantId tenant, ScheduleId id);

    /**
     * Runs a schedule's schedulable once now, outside its cron: enqueues a {@link JobType#SCHEDULED} job whose fire
     * time is now. It is not an occurrence: the schedule's next fire time and counts do not change. For
     * administrators and tests ({@code millrace-test}'s {@code stopTest()} runs each schedule created in the test
     * this way, as Salesforce's does).
     *
     * @return the job's id
     * @throws ScheduleNotFoundException when the tenant has no such schedule
     */
    JobId runNow(TenantId tenant, ScheduleId id);

    /**
     * The schedule's next {@code n} fire times from now, in its time zone's rules (empty when paused or
     * completed).
     *
     * @throws ScheduleNotFoundException when the tenant has no such schedule
     */
    List<Instant> nextFireTimes(TenantId tenant, ScheduleId id, int n);
}
