package dev.millrace.internal.store;

import dev.millrace.TenantId;
import dev.millrace.schedule.MisfirePolicy;

import java.time.Instant;
import java.util.UUID;

/**
 * A schedule as stored.
 *
 * @param id its id
 * @param tenant its tenant
 * @param name its name
 * @param cron its expression
 * @param zone its time zone id
 * @param className the schedulable's class
 * @param payload the schedulable's state as JSON
 * @param state ACTIVE, PAUSED or COMPLETED
 * @param misfirePolicy what to do about missed fire times
 * @param allowOverlap whether it fires while its previous job is active
 * @param nextFireAt its next fire time, or null
 * @param lastFireAt the occurrence it last fired, or null
 * @param lastJobId that occurrence's job, or null
 * @param lastJobActive whether that job is still queued or running
 * @param fireCount occurrences fired
 * @param skipCount occurrences skipped
 * @param lastError why the platform paused it, or null
 * @param createdAt when it was created
 */
public record ScheduleRow(UUID id, TenantId tenant, String name, String cron, String zone, String className,
                          String payload, String state, MisfirePolicy misfirePolicy, boolean allowOverlap,
                          Instant nextFireAt, Instant lastFireAt, UUID lastJobId, boolean lastJobActive,
                          long fireCount, long skipCount, String lastError, Instant createdAt) {
    /** Stored state of a schedule that fires. */
    public static final String ACTIVE = "ACTIVE";
    /** Stored state of a paused schedule. */
    public static final String PAUSED = "PAUSED";
    /** Stored state of a schedule with no fire time left. */
    public static final String COMPLETED = "COMPLETED";
}
