package dev.millrace.event;

/**
 * A tenant's event limits (SPEC.md EVT-1, EVT-5, EVT-11 to EVT-13, EVT-16). Defaults are Salesforce's; an operator
 * changes them per tenant with {@link Events#putPolicy}, user code never.
 *
 * @param maxChannels channels the tenant may declare (system channels do not count); {@code event.maxTypes}
 * @param maxPartitions partitions one subscription may have, 1 to {@value Subscription#MAX_PARTITIONS}
 * @param maxPartitionedSubscriptions subscriptions with more than one partition the tenant may have
 * @param publishPerHour events the tenant may publish per clock hour (UTC), counted across nodes; past it an event
 *                       is refused with {@link PublishResult#LIMIT_EXCEEDED}
 * @param retentionHours hours events are kept on channels that set no retention of their own
 * @param maxRetries retries of a batch after a {@link RetryableException} before the partition is suspended
 * @param everyExceptionRetryable when true, any exception a handler throws without a resume checkpoint is retried
 *                                like a {@link RetryableException} instead of skipping the batch (EVT-12, Millrace)
 * @param calloutsInHandlers when true, handlers may make callouts through {@link DeliveryContext#httpClient()};
 *                           when false (the default, as in Salesforce) every callout there fails with
 *                           {@link dev.millrace.limits.CalloutException} (EVT-15)
 * @param externalDeliveriesPer24h events the tenant's external clients may receive in the rolling 24 hours (counted per
 *                                 clock hour, across nodes) through {@link Events#externalReader} (the server's REST
 *                                 read and stream); past it a poll throws {@link DeliveryLimitException} and the
 *                                 events stay replayable. Handlers and {@link Events#reader} do not count (EVT-16)
 */
public record EventPolicy(int maxChannels, int maxPartitions, int maxPartitionedSubscriptions, int publishPerHour,
                          int retentionHours, int maxRetries, boolean everyExceptionRetryable,
                          boolean calloutsInHandlers, int externalDeliveriesPer24h) {

    /**
     * The defaults: 100 channels, 10 partitions, 5 partitioned subscriptions, 100,000 an hour, 72 h, 9 retries, no
     * callouts in handlers, 50,000 external deliveries in 24 hours.
     */
    public static final EventPolicy DEFAULTS = new EventPolicy(100, Subscription.MAX_PARTITIONS, 5, 100_000, 72,
            Subscription.MAX_RETRIES, false, false, 50_000);

    /** Validates every number, naming the key, the value and the allowed range. */
    public EventPolicy {
        check("maxChannels", maxChannels, 0, 100_000);
        check("maxPartitions", maxPartitions, 1, Subscription.MAX_PARTITIONS);
        check("maxPartitionedSubscriptions", maxPartitionedSubscriptions, 0, 100_000);
        check("publishPerHour", publishPerHour, 0, Integer.MAX_VALUE);
        check("retentionHours", retentionHours, 1, 24 * 366);
        check("maxRetries", maxRetries, 0, 100);
        check("externalDeliveriesPer24h", externalDeliveriesPer24h, 0, Integer.MAX_VALUE);
    }

    private static void check(String key, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException("event policy " + key + " = " + value + " is out of range: expected "
                    + min + " to " + max);
        }
    }

    /** A copy with another number of channels the tenant may declare. */
    public EventPolicy withMaxChannels(int v) {
        return new EventPolicy(v, maxPartitions, maxPartitionedSubscriptions, publishPerHour, retentionHours,
                maxRetries, everyExceptionRetryable, calloutsInHandlers, externalDeliveriesPer24h);
    }

    /** A copy with other partition limits: per subscription, and partitioned subscriptions per tenant. */
    public EventPolicy withPartitions(int perSubscription, int partitionedSubscriptions) {
        return new EventPolicy(maxChannels, perSubscription, partitionedSubscriptions, publishPerHour, retentionHours,
                maxRetries, everyExceptionRetryable, calloutsInHandlers, externalDeliveriesPer24h);
    }

    /** A copy with another hourly publishing allocation. */
    public EventPolicy withPublishPerHour(int v) {
        return new EventPolicy(maxChannels, maxPartitions, maxPartitionedSubscriptions, v, retentionHours, maxRetries,
                everyExceptionRetryable, calloutsInHandlers, externalDeliveriesPer24h);
    }

    /** A copy with another retention for channels that set none. */
    public EventPolicy withRetentionHours(int v) {
        return new EventPolicy(maxChannels, maxPartitions, maxPartitionedSubscriptions, publishPerHour, v, maxRetries,
                everyExceptionRetryable, calloutsInHandlers, externalDeliveriesPer24h);
    }

    /** A copy with another retry limit and treatment of other exceptions. */
    public EventPolicy withRetries(int max, boolean everyException) {
        return new EventPolicy(maxChannels, maxPartitions, maxPartitionedSubscriptions, publishPerHour, retentionHours,
                max, everyException, calloutsInHandlers, externalDeliveriesPer24h);
    }

    /** A copy that allows or refuses callouts in the tenant's event handlers. */
    public EventPolicy withCalloutsInHandlers(boolean allowed) {
        return new EventPolicy(maxChannels, maxPartitions, maxPartitionedSubscriptions, publishPerHour, retentionHours,
                maxRetries, everyExceptionRetryable, allowed, externalDeliveriesPer24h);
    }

    /** A copy with another 24-hour allocation of events delivered to external clients. */
    public EventPolicy withExternalDeliveriesPer24h(int v) {
        return new EventPolicy(maxChannels, maxPartitions, maxPartitionedSubscriptions, publishPerHour, retentionHours,
                maxRetries, everyExceptionRetryable, calloutsInHandlers, v);
    }
}
