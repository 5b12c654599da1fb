package dev.millrace.event;

/**
 * The state of one subscription partition.
 *
 * @param subscription the subscription's name
 * @param channel the channel's name
 * @param partition the partition (0 when not partitioned)
 * @param checkpoint the replay id of the last event handled (or skipped)
 * @param lag events of the channel after the checkpoint (for a partition: of every partition)
 * @param state active or suspended
 * @param lastError the last recorded error, or null
 * @param retries retries of the current batch so far
 * @param runAs the identity the subscription's handler runs as ({@link Subscription#runAs()})
 */
public record SubscriptionStatus(String subscription, String channel, int partition, long checkpoint, long lag,
                                 SubscriptionState state, String lastError, int retries, String runAs) {
}
