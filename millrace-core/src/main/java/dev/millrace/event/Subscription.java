package dev.millrace.event;

import java.util.Objects;

/**
 * A subscription to declare: a handler class bound to a channel, with a batch size, optional partitions and the
 * identity its handler runs as. Immutable; start from {@link #of} and use the {@code with…} methods.
 *
 * <pre>{@code
 * Subscription billing = Subscription.of("billing", "OrderPlaced", BillOrders.class).withBatchSize(500);
 * Subscription split = Subscription.of("ship", "OrderPlaced", ShipOrders.class).withPartitions(4, "customerId");
 * Subscription audited = Subscription.of("ledger", "OrderPlaced", PostLedger.class).withRunAs("ledger-bot");
 * }</pre>
 *
 * @param name the subscription's name, unique in the tenant (letters, digits, '_', '-', at most 100)
 * @param channel the channel's name
 * @param handler the handler class (registered on delivering nodes)
 * @param batchSize most events per delivery, 1 to {@value #MAX_BATCH_SIZE}
 * @param partitions 1 (not partitioned) to {@value #MAX_PARTITIONS}
 * @param partitionKey the field whose value picks the partition, or null for the event UUID
 * @param startFrom where a new subscription starts: {@link ReplayFrom#tip()} (default) or earlier
 * @param runAs the identity the handler runs as, not the publisher's (SPEC EVT-9): 1 to {@value #MAX_RUN_AS_LENGTH}
 *              characters, not blank, no control characters; {@value #DEFAULT_RUN_AS} by default. The handler reads
 *              it from {@link DeliveryContext#runAs()}, logs carry it in the MDC ({@code millrace.runAs}), and what the
 *              platform audits during a delivery without an explicit author (a feature flag switch) names it
 */
public record Subscription(String name, String channel, Class<? extends EventHandler> handler, int batchSize,
                           int partitions, String partitionKey, ReplayFrom startFrom, String runAs) {
    /** Largest and default batch (SPEC EVT-8). */
    public static final int MAX_BATCH_SIZE = 2000;
    /** Most partitions of one subscription (SPEC EVT-13); a tenant's {@link EventPolicy#maxPartitions()} may be lower. */
    public static final int MAX_PARTITIONS = 10;
    /** Retries of a batch before the subscription is suspended (SPEC EVT-11); the default of {@link EventPolicy#maxRetries()}. */
    public static final int MAX_RETRIES = 9;
    /** The identity handlers run as unless their subscription names another: the platform's automated process. */
    public static final String DEFAULT_RUN_AS = "automated-process";
    /** Longest {@link #runAs()} identity (the length an audit records as an author). */
    public static final int MAX_RUN_AS_LENGTH = 200;

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
        checkRunAs(runAs);
    }

    /**
     * Checks an identity a handler may run as, naming what was wrong.
     *
     * @return the identity
     * @throws IllegalArgumentException when it is null, blank, longer than {@value #MAX_RUN_AS_LENGTH} characters or
     *                                  has a control character
     */
    public static String checkRunAs(String runAs) {
        if (runAs == null || runAs.isBlank()) {
            throw new IllegalArgumentException("runAs '" + runAs + "' is invalid: expected 1 to " + MAX_RUN_AS_LENGTH
                    + " characters, not blank");
        }
        if (runAs.length() > MAX_RUN_AS_LENGTH) {
            throw new IllegalArgumentException("runAs is " + runAs.length() + " characters long: expected 1 to "
                    + MAX_RUN_AS_LENGTH + " characters, not blank");
        }
        if (runAs.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("runAs '" + runAs.replaceAll("\\p{Cntrl}", "?")
                    + "' has a control character: expected printable characters only");
        }
        return runAs;
    }

    /** A subscription with the default batch of 2,000, not partitioned, starting at the tip, run as the default. */
    public static Subscription of(String name, String channel, Class<? extends EventHandler> handler) {
        return new Subscription(name, channel, handler, MAX_BATCH_SIZE, 1, null, ReplayFrom.tip(), DEFAULT_RUN_AS);
    }

    /** A copy with another batch size. */
    public Subscription withBatchSize(int size) {
        return new Subscription(name, channel, handler, size, partitions, partitionKey, startFrom, runAs);
    }

    /** A copy split into partitions by a field (null: by event UUID); order holds within a partition. */
    public Subscription withPartitions(int count, String key) {
        return new Subscription(name, channel, handler, batchSize, count, key, startFrom, runAs);
    }

    /** A copy that starts elsewhere than the tip. */
    public Subscription startingFrom(ReplayFrom from) {
        return new Subscription(name, channel, handler, batchSize, partitions, partitionKey, from, runAs);
    }

    /**
     * A copy whose handler runs as another identity.
     *
     * @throws IllegalArgumentException when the identity is blank, longer than {@value #MAX_RUN_AS_LENGTH} characters
     *                                  or has a control character
     */
    public Subscription withRunAs(String identity) {
        return new Subscription(name, channel, handler, batchSize, partitions, partitionKey, startFrom, identity);
    }
}
