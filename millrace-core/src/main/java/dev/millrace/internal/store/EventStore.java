package dev.millrace.internal.store;

import dev.millrace.TenantId;
import dev.millrace.event.ResumeFrom;
import dev.millrace.event.SubscriptionState;

import java.sql.Connection;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Storage of channels, events and subscriptions (issue 6). Named by transitions: append, read, prune, claim,
 * finish. Appends to one channel are serialised by the channel row's lock, held until the appending transaction
 * ends, so replay ids are dense and commit in increasing order.
 */
public interface EventStore {

    /** A channel row. */
    record ChannelRow(long id, TenantId tenant, String name, String definition, long lastReplayId, long prunedThrough) {
    }

    /** An event to append. */
    record NewEvent(UUID uuid, Instant publishedAt, String payload) {
    }

    /** A stored event. */
    record StoredEvent(long replayId, UUID uuid, Instant publishedAt, String payload) {
    }

    /** A subscription with one of its partitions. */
    record PartitionRow(long subscriptionId, TenantId tenant, String name, long channelId, String channelName,
                        String handlerClass, int batchSize, int partitions, String partitionKey, int partition,
                        long checkpoint, long lag, SubscriptionState state, String lastError, int retries,
                        long leaseToken, String runAs) {
    }

    /** A subscription to create or replace. */
    record NewSubscription(TenantId tenant, String name, long channelId, String handlerClass, int batchSize,
                           int partitions, String partitionKey, long startCheckpoint, String runAs) {
    }

    /** How a delivery ended: the partition's new state. */
    record Outcome(long checkpoint, SubscriptionState state, int retries, String lastError, Instant nextAttemptAt) {
    }

    /** Creates or replaces a channel's definition; returns the row. */
    ChannelRow putChannel(TenantId tenant, String name, String definition, Instant now);

    /** A channel by tenant and name. */
    Optional<ChannelRow> channel(TenantId tenant, String name);

    /** Every channel of every tenant (for pruning). */
    List<ChannelRow> channels();

    /** The channels of one tenant, by name. */
    List<ChannelRow> channels(TenantId tenant);

    /**
     * Appends events to a channel in the given transaction and returns the first replay id; the others follow
     * densely. Takes the channel row's lock until the transaction ends.
     */
    long append(Connection c, long channelId, List<NewEvent> events);

    /** Appends events to a channel in a transaction of their own (one statement where the database allows). */
    long appendAlone(long channelId, List<NewEvent> events);

    /** Wakes other nodes when the given transaction commits (no-op where the database cannot). */
    void notifyAtCommit(Connection c);

    /** Wakes other nodes soon (after a commit made elsewhere). */
    void notifySoon();

    /** Runs work in a transaction of its own. */
    <T> T inTransaction(String what, java.util.function.Function<Connection, T> work);

    /** Committed events after a replay id, in order, at most {@code limit}. */
    List<StoredEvent> read(long channelId, long after, int limit);

    /** Deletes the oldest events published before the cutoff, at most {@code limit}; returns how many. */
    int prune(long channelId, Instant cutoff, int limit);

    /** Creates or replaces a subscription and its partitions. */
    void putSubscription(NewSubscription subscription, Instant now);

    /** Deletes a subscription; false when there was none. */
    boolean deleteSubscription(TenantId tenant, String name);

    /** A subscription's partitions with their status, in partition order (empty when there is none). */
    List<PartitionRow> partitions(TenantId tenant, String name);

    /** Every partition of every subscription of a tenant, by subscription name then partition. */
    List<PartitionRow> partitions(TenantId tenant);

    /** Tenants having a subscription on a channel of that name. */
    Set<TenantId> tenantsSubscribedTo(String channelName);

    /**
     * Leases one due partition whose channel has events after its checkpoint, among those whose handler class is
     * accepted; empty when none.
     *
     * @param tenant only this tenant's, or null for any
     * @param dueBy partitions whose next attempt is at or before this
     */
    Optional<PartitionRow> claim(String node, Instant now, Instant leaseUntil, Instant dueBy, TenantId tenant,
                                 Set<String> handlerClasses);

    /**
     * Ends a lease with an outcome, in the given transaction (with the handler's work) or, with null, in one of its
     * own; false when the lease was lost (another node holds the partition now).
     */
    boolean finish(Connection c, PartitionRow lease, Outcome outcome);

    /** Resumes suspended partitions; returns how many. */
    int resume(long subscriptionId, ResumeFrom from, Instant now);

    /**
     * Extends a delivery's lease while its handler runs; false when the lease was lost (another node holds the
     * partition now) or the delivery already ended.
     */
    boolean renew(PartitionRow lease, Instant leaseUntil);

    /** The tenant's stored event policy, if an operator set one. */
    Optional<dev.millrace.event.EventPolicy> policy(TenantId tenant);

    /** Stores the tenant's event policy. */
    void putPolicy(TenantId tenant, dev.millrace.event.EventPolicy policy, Instant now);

    /**
     * Counts up to {@code wanted} events against the tenant's allocation for the hour starting at {@code hour}, never
     * past {@code limit}; returns how many were granted (0 to {@code wanted}). Atomic across nodes.
     */
    int reservePublishes(TenantId tenant, Instant hour, int wanted, long limit);

    /**
     * Counts up to {@code wanted} events delivered to external clients against the tenant's allocation for the 24
     * hours ending with the hour starting at {@code hour} (that hour's row and the 23 before it), never past
     * {@code limit}; returns how many were granted (0 to {@code wanted}). Atomic across nodes.
     */
    int reserveDeliveries(TenantId tenant, Instant hour, int wanted, long limit);

    /** Events delivered to external clients per clock hour from {@code fromHour} on, hours with none left out. */
    java.util.NavigableMap<Instant, Long> deliveries(TenantId tenant, Instant fromHour);

    /** Deletes usage counts (publishes and deliveries) of hours before the cutoff; returns how many rows. */
    int pruneUsage(Instant before);
}
