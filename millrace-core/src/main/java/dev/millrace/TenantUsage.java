package dev.millrace;

import java.util.Objects;

/**
 * What a tenant uses now of the allowances of its {@link TenantPolicy}: each figure counts what the matching policy
 * key limits, so {@code usage / allowance} is how full it is.
 *
 * @param tenant the tenant
 * @param asyncExecutions async executions accepted in the rolling 24 hours (of {@link TenantPolicy#dailyAsyncExecutions()};
 *                        other nodes' enqueues of the last second may be missing)
 * @param schedules schedules that count toward {@link TenantPolicy#maxSchedules()} (every state but COMPLETED)
 * @param activeBatches batches admitted and not ended (of {@link TenantPolicy#maxActiveBatches()})
 * @param flexQueue batches holding in the flex queue (of {@link TenantPolicy#flexQueueCapacity()})
 * @param channels channels the tenant declared or subscribes to
 * @param subscriptions the tenant's subscriptions
 * @param externalDeliveries events delivered to the tenant's external clients in the rolling 24 hours (of its event
 *                           policy's {@link dev.millrace.event.EventPolicy#externalDeliveriesPer24h()}), counted
 *                           across nodes
 */
public record TenantUsage(TenantId tenant, long asyncExecutions, int schedules, int activeBatches, int flexQueue,
                          int channels, int subscriptions, long externalDeliveries) {

    /** Checks that the tenant is given and no figure is negative. */
    public TenantUsage {
        Objects.requireNonNull(tenant, "tenant");
        if (asyncExecutions < 0 || schedules < 0 || activeBatches < 0 || flexQueue < 0 || channels < 0
                || subscriptions < 0 || externalDeliveries < 0) {
            throw new IllegalArgumentException("usage of tenant '" + tenant + "' has a negative figure: expected counts");
        }
    }
}
