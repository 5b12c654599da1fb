package dev.millrace.event;

import java.util.Objects;

/**
 * A subscription to declare: a handler class bound to a channel, with a batch size and optional partitions.
 * Immutable; start from {@link #of} and use the {@code with…} methods.
 *
 * <pre>{@code
 * Subscription billing = Subscription.of("billing", "OrderPlaced", BillOrders.class).withBatchSize(500);
 * Subscription split = Subscription.of("ship", "OrderPlaced", ShipOrders.class).withPartitions(4, "customerId");
 * }</pre>
 *
 * @param name the subscription's name, unique in the tenant (letters, digits, '_', '-', at most 100)
 * @param channel the channel's name
 * @param handler the handler class (registered on delivering nodes)
 * @param batchSize most events per delivery, 1 to {@value #MAX_BATCH_SIZE}
 * @param partitions 1 (not partitioned) to {@value #MAX_PARTITIONS}
 * @param partitionKey the field whose value picks the partition, or null for the event UUID
 * @param startFrom where a new subscription starts: {@link ReplayFrom#tip()} (default) or earlier
 */
public record Subscription(String name, String channel, Class<? extends EventHandler> handler, int batchSize,
                           int partitions, String partitionKey, ReplayFrom startFrom) {
    /** Largest and default batch (SPEC EVT-8). */
    public static final int MAX_BATCH_SIZE = 2000;
    /** Most partitions of one subscription (SPEC EVT-13); a tenant's {@link EventPolicy#maxPartitions()} may be lower. */
    public static final int MAX_PARTITIONS = 10;
    /** Retries of a batch before the subscription is suspended (SPEC EVT-11); the default of {@link EventPolicy#maxRetries()}. */
    public static final int MAX_RETRIES = 9;

    /** Checks every part, naming what was wrong. */
    public Subscription {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9_-]{0,99}")) {
            throw new IllegalArgumentException("subscription name '" + name
                    + "' is invalid: expected a letter or digit then up to 99 letters, digits, '_' or '-'");
        }
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(handler, "handler");
        if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
            throw new IllegalArgumentException("batch size " + batchSize + " of subscription " + name
                    + " is out of range: expected 1 to " + MAX_BATCH_SIZE);
        }
        if (partitions < 1 || partitions > MAX_PARTITIONS) {
            throw new IllegalArgumentException("partitions " + partitions + " of subscription " + name
                    + " is out of range: expected 1 to " + MAX_PARTITIONS);
        }
        Objects.requireNonNull(startFrom, "startFrom");
    }

    /** A subscription with the default batch of 2,000, not partitioned, starting at the tip. */
    public static Subscription of(String name, String channel, Class<? extends EventHandler> handler) {
        return new Subscription(name, channel, handler, MAX_BATCH_SIZE, 1, null, ReplayFrom.tip());
    }

    /** A copy with another batch size. */
    public Subscription withBatchSize(int size) {
        return new Subscription(name, channel, handler, size, partitions, partitionKey, startFrom);
    }

    /** A copy split into partitions by a field (null: by event UUID); order holds within a partition. */
    public Subscription withPartitions(int count, String key) {
        return new Subscription(name, channel, handler, batchSize, count, key, startFrom);
    }

    /** A copy that starts elsewhere than the tip. */
    public Subscription startingFrom(ReplayFrom from) {
        return new Subscription(name, channel, handler, batchSize, partitions, partitionKey, from);
    }
}
