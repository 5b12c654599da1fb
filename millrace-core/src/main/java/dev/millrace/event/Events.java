package dev.millrace.event;

import dev.millrace.TenantId;

import java.sql.Connection;
import java.util.List;
import java.util.Optional;

/**
 * The event bus of a node: channels, publishing, subscriptions and readers. Reach it with {@code Millrace.events()}.
 *
 * <pre>{@code
 * Events events = millrace.events();
 * events.declare(tenant, ChannelDefinition.named("OrderPlaced").field("orderId", FieldType.ID, true));
 * events.subscribe(tenant, Subscription.of("billing", "OrderPlaced", BillOrders.class));
 * List<PublishResult> results = events.publish(tenant, List.of(Event.on("OrderPlaced").with("orderId", "o-1")));
 * }</pre>
 */
public interface Events {

    /** Names of the system channels the platform publishes on (SPEC EVT-17); user code cannot publish on them. */
    String JOB_STATUS_CHANNEL = "JobStatusEvent";
    /** Batch errors: published by the batch engine. */
    String BATCH_ERROR_CHANNEL = "BatchErrorEvent";
    /** Schedule fires: published by the scheduler. */
    String SCHEDULE_FIRE_CHANNEL = "ScheduleFireEvent";
    /** Feature flag changes (SPEC FLAG-4): published after a switch that changed a flag's value commits. */
    String FLAG_CHANGE_CHANNEL = "FlagChangeEvent";

    /** The tenant's event limits ({@link EventPolicy#DEFAULTS} until an operator set others). */
    EventPolicy policy(TenantId tenant);

    /**
     * Sets the tenant's event limits; they apply to declarations, subscriptions, publishes, deliveries and pruning
     * from now on (other nodes see them within seconds).
     *
     * @throws dev.millrace.UnknownTenantException when the tenant does not exist
     */
    EventPolicy putPolicy(TenantId tenant, EventPolicy policy);

    /**
     * Declares a channel of the tenant, or replaces its fields, behaviour and retention; stored events are kept.
     *
     * @throws IllegalArgumentException when the name is a system channel's, or a new channel would exceed the tenant's
     *                                  {@link EventPolicy#maxChannels()}
     * @throws dev.millrace.UnknownTenantException when the tenant does not exist
     */
    void declare(TenantId tenant, ChannelDefinition channel);

    /** A channel's definition, if declared (system channels appear once subscribed to). */
    Optional<ChannelDefinition> channel(TenantId tenant, String name);

    /** The tenant's declared channels (and system channels it subscribes to), by name. */
    List<ChannelDefinition> channels(TenantId tenant);

    /** The status of every partition of every subscription of the tenant, by subscription name then partition. */
    List<SubscriptionStatus> subscriptions(TenantId tenant);

    /**
     * Publishes events of the tenant and returns one result per event, in order; a bad event is refused with a
     * result naming the field, the others are still published. Events past the tenant's hourly allocation
     * ({@link EventPolicy#publishPerHour()}) are refused with {@link PublishResult#LIMIT_EXCEEDED}. From inside a running job or delivery,
     * {@link PublishBehavior#AFTER_COMMIT} events commit with it; otherwise each channel's events commit here.
     */
    List<PublishResult> publish(TenantId tenant, List<Event> events);

    /**
     * Publishes in the caller's JDBC transaction: {@link PublishBehavior#AFTER_COMMIT} events exist only if the
     * caller commits; {@link PublishBehavior#IMMEDIATE} ones commit at once on their own. The channel stays locked
     * for other publishers until the caller ends its transaction, so publish late in it.
     */
    List<PublishResult> publish(Connection connection, TenantId tenant, List<Event> events);

    /**
     * Creates a subscription, or replaces its handler and batch size (keeping its checkpoints when its partitions
     * are unchanged; a new partition count restarts every partition from the lowest checkpoint).
     *
     * @throws IllegalArgumentException when the channel is not declared, the partition key is not a required field, or
     *                                  the partitions exceed the tenant's {@link EventPolicy#maxPartitions()} or
     *                                  {@link EventPolicy#maxPartitionedSubscriptions()}
     */
    void subscribe(TenantId tenant, Subscription subscription);

    /** Deletes a subscription; false when there was none. */
    boolean unsubscribe(TenantId tenant, String subscription);

    /**
     * The status of each partition of a subscription.
     *
     * @throws IllegalArgumentException when there is no such subscription
     */
    List<SubscriptionStatus> status(TenantId tenant, String subscription);

    /** Resumes a suspended subscription (every suspended partition) from its checkpoint or from the tip. */
    void resume(TenantId tenant, String subscription, ResumeFrom from);

    /**
     * A reader of a channel starting at {@code from}.
     *
     * @throws ReplayIdExpiredException when events after {@code from} were already pruned
     * @throws IllegalArgumentException when the channel is not declared
     */
    EventReader reader(TenantId tenant, String channel, ReplayFrom from);

    /**
     * A reader of a channel for an external client (SPEC EVT-7 c, EVT-16): like {@link #reader}, but each poll that
     * returns events counts them against the tenant's {@link EventPolicy#externalDeliveriesPer24h()}, once per poll
     * and across nodes. A poll returns only the events still within the allocation; when none is, it throws
     * {@link DeliveryLimitException} and keeps its position, so the events can be read again once it frees up. The
     * server's REST read and event stream use it; an application relaying events to its own clients should too.
     * In-process readers ({@link #reader}) and handlers do not count.
     *
     * @throws ReplayIdExpiredException when events after {@code from} were already pruned
     * @throws IllegalArgumentException when the channel is not declared
     */
    EventReader externalReader(TenantId tenant, String channel, ReplayFrom from);

    /**
     * Delivers, on the calling thread, every pending batch of the tenant's subscriptions until they are caught up
     * or suspended, re-delivering retried batches at once instead of after their delay. For tests and tools
     * ({@code millrace-test} uses it); a started node delivers by itself.
     *
     * @return how many batches were delivered
     */
    int deliverNow(TenantId tenant);
}
