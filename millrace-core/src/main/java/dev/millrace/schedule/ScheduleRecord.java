package dev.millrace.schedule;

import dev.millrace.JobId;
import dev.millrace.TenantId;

import java.time.Instant;
import java.time.ZoneId;

/**
 * A schedule as the store holds it now, with its fire history (SPEC SCH-13, MON-10).
 *
 * @param id the schedule's id
 * @param tenant its tenant
 * @param name its name, unique within the tenant
 * @param cron its cron expression
 * @param zone the time zone its expression is read in
 * @param className the {@link Schedulable} class it runs; for a schedule made by {@code scheduleBatch}, the batch's
 *        class
 * @param state where it is in its life
 * @param misfirePolicy what it does about missed fire times
 * @param allowOverlap whether it fires while the previous occurrence's job is active
 * @param nextFireTime the next fire time, or null when paused or completed
 * @param lastFireTime the occurrence it last fired (a job was enqueued for it), or null before the first
 * @param lastJobId the job of that occurrence, or null before the first
 * @param fireCount how many occurrences enqueued a job
 * @param skippedCount how many occurrences were skipped: missed under {@link MisfirePolicy#SKIP}, or due while the
 *        previous occurrence's job was still active
 * @param lastError why the schedule was paused by the platform (a state that could not be rebuilt), or null
 * @param createdAt when it was created
 */
public record ScheduleRecord(ScheduleId id, TenantId tenant, String name, String cron, ZoneId zone, String className,
                             ScheduleState state, MisfirePolicy misfirePolicy, boolean allowOverlap,
                             Instant nextFireTime, Instant lastFireTime, JobId lastJobId, long fireCount,
                             long skippedCount, String lastError, Instant createdAt) {
}
