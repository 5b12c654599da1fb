package dev.millrace.internal.store;

import dev.millrace.TenantId;
import dev.millrace.schedule.MisfirePolicy;

import java.time.Instant;
import java.util.UUID;

/**
 * A schedule to store.
 *
 * @param id its id
 * @param tenant its tenant
 * @param name its name
 * @param cron its expression
 * @param zone its time zone id
 * @param className the schedulable's class
 * @param payload the schedulable's state as JSON
 * @param misfirePolicy what to do about missed fire times
 * @param allowOverlap whether it fires while its previous job is active
 * @param nextFireAt its first fire time
 * @param createdAt when it was created
 */
public record NewSchedule(UUID id, TenantId tenant, String name, String cron, String zone, String className,
                          String payload, MisfirePolicy misfirePolicy, boolean allowOverlap, Instant nextFireAt,
                          Instant createdAt) {
}
