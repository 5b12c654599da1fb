package dev.millrace.internal.event;

import dev.millrace.AsyncException;
import dev.millrace.TenantId;
import dev.millrace.event.ChannelDefinition;
import dev.millrace.event.DeliveryLimitException;
import dev.millrace.event.Event;
import dev.millrace.event.EventHandler;
import dev.millrace.event.EventPolicy;
import dev.millrace.event.EventReader;
import dev.millrace.event.EventRecord;
import dev.millrace.event.Events;
import dev.millrace.event.FieldDefinition;
import dev.millrace.event.PublishBehavior;
import dev.millrace.event.PublishResult;
import dev.millrace.event.ReplayFrom;
import dev.millrace.event.ReplayIdExpiredException;
import dev.millrace.event.ResumeFrom;
import dev.millrace.event.RetryableException;
import dev.millrace.event.Subscription;
import dev.millrace.event.SubscriptionState;
import dev.millrace.event.SubscriptionStatus;
import dev.millrace.internal.PolicyCache;
import dev.millrace.internal.engine.Executions;
import dev.millrace.internal.limits.ExecutionLimits;
import dev.millrace.internal.store.EventStore;
import dev.millrace.internal.store.EventStore.ChannelRow;
import dev.millrace.internal.store.EventStore.NewEvent;
import dev.millrace.internal.store.EventStore.Outcome;
import dev.millrace.internal.store.EventStore.PartitionRow;
import dev.millrace.internal.store.EventStore.StoredEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.net.http.HttpClient;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;

/**
 * The event bus of one node: publishing (validated per event, appended under the channel's lock), subscription
 * administration, delivery of one leased subscription partition at a time, readers, system events and pruning.
 * The node's background services call {@link #deliverOne}, {@link #flushSystemEvents} and {@link #prune}.
 */
public final class EventBus implements Events {
    private static final Logger LOG = LoggerFactory.getLogger(EventBus.class);
    /** How long a node trusts its cached copy of a channel's definition. */
    static final Duration CHANNEL_CACHE = Duration.ofSeconds(5);
    /** Delay before the first retry of a batch; doubled at each retry. */
    public static final Duration RETRY_BACKOFF = Duration.ofSeconds(1);
    /** Longest delay between retries. */
    public static final Duration MAX_RETRY_BACKOFF = Duration.ofMinutes(10);
    /** Events deleted per pruning statement. */
    static final int PRUNE_BATCH = 5000;
    private static final Instant FAR_FUTURE = Instant.parse("9999-01-01T00:00:00Z");
    private static final ThreadLocal<DeliveryContextImpl> DELIVERY = new ThreadLocal<>();
    /** How long a node trusts its cached copy of a tenant's event policy (a change on another node). */
    static final Duration POLICY_CACHE = Duration.ofSeconds(5);

    private final Supplier<HttpClient> http;
    private final EventStore store;
    private final DataSource dataSource;
    private final java.util.function.Function<TenantId, dev.millrace.TenantPolicy> tenantCheck;
    private final InstantSource clock;
    private final String nodeId;
    private final Duration lease;
    private final Duration pollInterval;
    private final Map<String, EventHandler> handlers;
    private final EventCodec codec = new EventCodec();
    private final Map<String, Cached> channels = new ConcurrentHashMap<>();
    private final PolicyCache<EventPolicy> policies;
    private final Object signal = new Object();
    private long signals;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<SystemEvent> systemEvents = new ConcurrentLinkedQueue<>();
    private volatile Set<TenantId> jobStatusTenants = Set.of();
    private volatile Set<TenantId> scheduleFireTenants = Set.of();
    private volatile Set<TenantId> flagChangeTenants = Set.of();
    private volatile Set<TenantId> batchErrorTenants = Set.of();

    private record Cached(ChannelRow row, ChannelDefinition definition, Instant loadedAt) {
    }

    private record SystemEvent(TenantId tenant, String channel, Event event) {
    }

    /**
     * @param tenantCheck the tenant's policy (a delivery's governor limits are its async ones); throws
     *                    {@code UnknownTenantException} for a tenant that does not exist
     * @param handlerClasses the handler classes this node delivers
     * @param http the node's shared HTTP client, under handlers' callouts when their tenant allows them
     */
    public EventBus(EventStore store, DataSource dataSource,
                    java.util.function.Function<TenantId, dev.millrace.TenantPolicy> tenantCheck, InstantSource clock,
                    String nodeId, Duration lease, Duration pollInterval,
                    List<Class<? extends EventHandler>> handlerClasses, Supplier<HttpClient> http) {
        this.store = store;
        this.http = http;
        this.dataSource = dataSource;
        this.tenantCheck = tenantCheck;
        this.clock = clock;
        this.policies = new PolicyCache<>(clock, POLICY_CACHE, t -> store.policy(t).orElse(EventPolicy.DEFAULTS),
                (t, p) -> {
                    tenantCheck.apply(t);
                    store.putPolicy(t, p, clock.instant());
                });
        this.nodeId = nodeId;
        this.lease = lease;
        this.pollInterval = pollInterval;
        Map<String, EventHandler> h = new LinkedHashMap<>();
        for (Class<? extends EventHandler> c : handlerClasses) h.put(c.getName(), instantiate(c));
        this.handlers = Map.copyOf(h);
    }

    static EventHandler instantiate(Class<? extends EventHandler> type) {
        try {
            var ctor = type.getDeclaredConstructor();
            ctor.setAccessible(true);
            return ctor.newInstance();
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalArgumentException("event handler " + type.getName()
                    + " cannot be created: expected a class with a no-argument constructor (" + e + ")", e);
        }
    }

    /** Calls {@code r} whenever events were published on this node or a notification came from another. */
    public void onSignal(Runnable r) {
        listeners.add(r);
    }

    /** New events may be readable: wakes readers and delivery. */
    public void signal() {
        synchronized (signal) {
            signals++;
            signal.notifyAll();
        }
        for (Runnable r : listeners) r.run();
    }

    private void committed() {
        signal();
        store.notifySoon();
    }

    // ---- policy

    @Override
    public EventPolicy policy(TenantId tenant) {
        return policies.get(tenant);
    }

    @Override
    public EventPolicy putPolicy(TenantId tenant, EventPolicy policy) {
        return policies.put(tenant, policy);
    }

    /** The window of the external delivery allocation (SPEC EVT-16), counted per clock hour. */
    static final Duration DELIVERY_WINDOW = Duration.ofHours(24);

    /** The hour the publishing and delivery allocations are counted in (clock hours, UTC). */
    static Instant hourOf(Instant t) {
        return t.truncatedTo(java.time.temporal.ChronoUnit.HOURS);
    }

    // ---- channels

    private static String key(TenantId tenant, String name) {
        return tenant.value() + "\u0000" + name;
    }

    private Cached cached(TenantId tenant, String name, boolean fresh) {
        String k = key(tenant, name);
        Cached c = channels.get(k);
        Instant now = clock.instant();
        if (c != null && !fresh && now.isBefore(c.loadedAt().plus(CHANNEL_CACHE)) && !now.isBefore(c.loadedAt())) return c;
        Optional<ChannelRow> row = store.channel(tenant, name);
        if (row.isEmpty()) {
            channels.remove(k);
            return null;
        }
        c = new Cached(row.get(), codec.readDefinition(name, row.get().definition()), now);
        channels.put(k, c);
        return c;
    }

    @Override
    public void declare(TenantId tenant, ChannelDefinition channel) {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(channel, "channel");
        if (SystemChannels.isSystem(channel.name())) {
            throw new IllegalArgumentException("channel " + channel.name()
                    + " is a system channel: expected another name (system channels are declared by the platform)");
        }
        tenantCheck.apply(tenant);
        if (store.channel(tenant, channel.name()).isEmpty()) {
            // Only a new channel counts; system channels (declared by the platform) do not.
            int max = policy(tenant).maxChannels();
            long declared = store.channels(tenant).stream().filter(r -> !SystemChannels.isSystem(r.name())).count();
            if (declared >= max) {
                throw new IllegalArgumentException("channel " + channel.name() + " cannot be declared: tenant '" + tenant
                        + "' already has " + declared + " channels, its limit (event policy maxChannels = " + max
                        + "); expected to replace an existing channel, or an operator to raise maxChannels");
            }
        }
        put(tenant, channel);
    }

    private Cached put(TenantId tenant, ChannelDefinition channel) {
        ChannelRow row = store.putChannel(tenant, channel.name(), codec.writeDefinition(channel), clock.instant());
        Cached c = new Cached(row, channel, clock.instant());
        channels.put(key(tenant, channel.name()), c);
        return c;
    }

    /** A channel, declaring a system channel on first use. */
    private Cached channelOrSystem(TenantId tenant, String name) {
        Cached c = cached(tenant, name, false);
        if (c == null && SystemChannels.isSystem(name)) c = put(tenant, SystemChannels.definition(name));
        return c;
    }

    @Override
    public Optional<ChannelDefinition> channel(TenantId tenant, String name) {
        Cached c = cached(tenant, name, true);
        return c == null ? Optional.empty() : Optional.of(c.definition());
    }

    @Override
    public List<ChannelDefinition> channels(TenantId tenant) {
        Objects.requireNonNull(tenant, "tenant");
        return store.channels(tenant).stream().map(r -> codec.readDefinition(r.name(), r.definition())).toList();
    }

    @Override
    public List<SubscriptionStatus> subscriptions(TenantId tenant) {
        Objects.requireNonNull(tenant, "tenant");
        return store.partitions(tenant).stream().map(EventBus::status).toList();
    }

    // ---- publishing

    @Override
    public List<PublishResult> publish(TenantId tenant, List<Event> events) {
        return publish(null, tenant, events, false);
    }

    @Override
    public List<PublishResult> publish(Connection connection, TenantId tenant, List<Event> events) {
        return publish(Objects.requireNonNull(connection, "connection"), tenant, events, false);
    }

    /**
     * Publishes on a system channel (the platform's hook: job status changes here, batch errors and schedule fires
     * from their engines). Events of a system channel no one has declared (by subscribing or reading) are dropped.
     */
    public List<PublishResult> publishSystem(TenantId tenant, String channel, List<Event> events) {
        if (cached(tenant, channel, false) == null) return List.of();
        return publish(null, tenant, events, true);
    }

    private record Group(Cached channel, List<Integer> indexes, List<NewEvent> events) {
    }

    List<PublishResult> publish(Connection connection, TenantId tenant, List<Event> events, boolean system) {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(events, "events");
        tenantCheck.apply(tenant);
        EventTransaction tx = connection == null ? currentTransaction(tenant) : null;
        PublishResult[] results = new PublishResult[events.size()];
        Map<Long, Group> groups = new java.util.TreeMap<>();
        Instant now = clock.instant();
        for (int i = 0; i < events.size(); i++) {
            Event e = events.get(i);
            if (e == null) {
                results[i] = PublishResult.refused(EventCodec.INVALID_FIELD_VALUE, null,
                        "event " + i + " is null: expected an Event");
                continue;
            }
            if (!system && SystemChannels.isSystem(e.channel())) {
                results[i] = PublishResult.refused(EventCodec.ACCESS_DENIED, null, "channel " + e.channel()
                        + " is a system channel: only the platform publishes on it");
                continue;
            }
            Cached c = cached(tenant, e.channel(), false);
            if (c == null) {
                results[i] = PublishResult.refused(EventCodec.UNKNOWN_CHANNEL, null, "channel '" + e.channel()
                        + "' is not declared in tenant '" + tenant + "': expected a declared channel");
                continue;
            }
            EventCodec.Checked checked = codec.check(c.definition(), e);
            if (checked.refusal() != null) {
                results[i] = checked.refusal();
                continue;
            }
            Group g = groups.computeIfAbsent(c.row().id(), k -> new Group(c, new ArrayList<>(), new ArrayList<>()));
            UUID uuid = randomUuid();
            g.indexes().add(i);
            g.events().add(new NewEvent(uuid, now, checked.payload()));
        }
        if (!system && groups.values().stream()
                .anyMatch(g -> g.channel().definition().behavior() == PublishBehavior.IMMEDIATE)) {
            // A publish call with immediate events counts once against the execution's governor limit (SPEC),
            // before anything is written, so the call that breaches it publishes nothing.
            dev.millrace.internal.limits.ExecutionLimits.count(dev.millrace.limits.Limit.PUBLISH_IMMEDIATE, 1);
        }
        if (!system && !groups.isEmpty()) allocate(tenant, now, groups, results);
        List<Group> own = new ArrayList<>();
        boolean inCaller = false;
        for (Group g : groups.values()) {
            boolean immediate = g.channel().definition().behavior() == PublishBehavior.IMMEDIATE;
            if (immediate || (connection == null && tx == null)) {
                own.add(g);
            } else if (connection != null) {
                fill(results, g, store.append(connection, g.channel().row().id(), g.events()));
                inCaller = true;
            } else {
                tx.pendingEvents().add(g.channel().row().id(), g.events());
                fill(results, g, -1);
            }
        }
        if (inCaller) store.notifyAtCommit(connection);
        if (own.size() == 1) {
            Group g = own.get(0);
            fill(results, g, store.appendAlone(g.channel().row().id(), g.events()));
            committed();
        } else if (!own.isEmpty()) {
            store.inTransaction("publish events", c -> {
                for (Group g : own) fill(results, g, store.append(c, g.channel().row().id(), g.events()));
                return null;
            });
            committed();
        }
        return List.of(results);
    }

    /**
     * Counts the valid events against the tenant's hourly allocation (SPEC EVT-16) and refuses, in call order, those
     * past it. Counted when the call is made, in a transaction of its own: an after-commit event whose transaction
     * rolls back still counts, and a job's transaction never holds the tenant's usage row.
     */
    private void allocate(TenantId tenant, Instant now, Map<Long, Group> groups, PublishResult[] results) {
        int wanted = 0;
        for (Group g : groups.values()) wanted += g.indexes().size();
        int limit = policy(tenant).publishPerHour();
        int granted = store.reservePublishes(tenant, hourOf(now), wanted, limit);
        if (granted == wanted) return;
        List<Integer> order = new ArrayList<>(wanted);
        for (Group g : groups.values()) order.addAll(g.indexes());
        Collections.sort(order);
        Set<Integer> refused = new java.util.HashSet<>(order.subList(granted, order.size()));
        for (Integer i : refused) {
            results[i] = PublishResult.refused(EventCodec.LIMIT_EXCEEDED, null, "tenant '" + tenant
                    + "' has published its " + limit + " events of this hour (event policy publishPerHour): expected"
                    + " to publish again after " + hourOf(now).plus(Duration.ofHours(1)) + ", or an operator to raise it");
        }
        for (var it = groups.values().iterator(); it.hasNext(); ) {
            Group g = it.next();
            for (int j = g.indexes().size() - 1; j >= 0; j--) {
                if (refused.contains(g.indexes().get(j))) {
                    g.indexes().remove(j);
                    g.events().remove(j);
                }
            }
            if (g.indexes().isEmpty()) it.remove();
        }
        LOG.warn("tenant {} reached its hourly publishing allocation of {} events: {} of {} refused", tenant, limit,
                refused.size(), wanted);
    }

    private static void fill(PublishResult[] results, Group g, long first) {
        for (int j = 0; j < g.indexes().size(); j++) {
            results[g.indexes().get(j)] = PublishResult.published(g.events().get(j).uuid(), first < 0 ? null : first + j);
        }
    }

    private static UUID randomUuid() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return new UUID((r.nextLong() & ~0xF000L) | 0x4000L, (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L);
    }

    private EventTransaction currentTransaction(TenantId tenant) {
        EventTransaction tx = DELIVERY.get();
        if (tx == null && Executions.current() instanceof EventTransaction t && t.eventOwner() == this) tx = t;
        if (tx != null && !tx.tenant().equals(tenant)) {
            throw new AsyncException("an execution of tenant '" + tx.tenant() + "' cannot publish events for tenant '"
                    + tenant + "': expected its own tenant");
        }
        return tx;
    }

    /** Appends a transaction's after-commit events in it, just before it commits. */
    public void flush(Connection c, PendingEvents pending) {
        if (pending == null || pending.isEmpty()) return;
        for (Map.Entry<Long, List<NewEvent>> e : pending.byChannel.entrySet()) store.append(c, e.getKey(), e.getValue());
    }

    /** A transaction holding after-commit events committed. */
    public void afterCommit(PendingEvents pending) {
        if (pending != null && !pending.isEmpty()) committed();
    }

    // ---- subscriptions

    @Override
    public void subscribe(TenantId tenant, Subscription s) {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(s, "subscription");
        tenantCheck.apply(tenant);
        Cached c = channelOrSystem(tenant, s.channel());
        if (c == null) {
            throw new IllegalArgumentException("subscription " + s.name() + " names channel '" + s.channel()
                    + "', which is not declared in tenant '" + tenant + "': expected a declared channel");
        }
        if (s.partitionKey() != null) {
            FieldDefinition f = c.definition().fieldNamed(s.partitionKey()).orElse(null);
            if (f == null || !f.required()) {
                throw new IllegalArgumentException("partition key '" + s.partitionKey() + "' of subscription " + s.name()
                        + " is not a required field of channel " + s.channel()
                        + ": expected a required field, or null for the event UUID");
            }
        }
        if (s.partitions() > 1) checkPartitions(tenant, s);
        instantiate(s.handler());
        ChannelRow row = c.row();
        ChannelRow fresh = store.channel(tenant, s.channel()).orElse(row);
        long start;
        if (s.startFrom().replayId() == ReplayFrom.TIP) start = fresh.lastReplayId();
        else if (s.startFrom().replayId() == ReplayFrom.EARLIEST) start = fresh.prunedThrough();
        else start = s.startFrom().replayId();
        store.putSubscription(new EventStore.NewSubscription(tenant, s.name(), row.id(), s.handler().getName(),
                s.batchSize(), s.partitions(), s.partitionKey(), start, s.runAs()), clock.instant());
        if (SystemChannels.isSystem(s.channel())) refreshSystemSubscribers();
        signal();
    }

    private void checkPartitions(TenantId tenant, Subscription s) {
        EventPolicy policy = policy(tenant);
        if (s.partitions() > policy.maxPartitions()) {
            throw new IllegalArgumentException("subscription " + s.name() + " asks for " + s.partitions()
                    + " partitions: expected at most " + policy.maxPartitions() + " (event policy maxPartitions of tenant '"
                    + tenant + "')");
        }
        Set<String> partitioned = new java.util.TreeSet<>();
        for (PartitionRow r : store.partitions(tenant)) {
            if (r.partitions() > 1 && !r.name().equals(s.name())) partitioned.add(r.name());
        }
        if (partitioned.size() >= policy.maxPartitionedSubscriptions()) {
            throw new IllegalArgumentException("subscription " + s.name() + " cannot be partitioned: tenant '" + tenant
                    + "' already has " + partitioned.size() + " partitioned subscriptions " + partitioned
                    + ", its limit (event policy maxPartitionedSubscriptions = " + policy.maxPartitionedSubscriptions()
                    + "); expected one partition, or an operator to raise maxPartitionedSubscriptions");
        }
    }

    @Override
    public boolean unsubscribe(TenantId tenant, String subscription) {
        boolean deleted = store.deleteSubscription(tenant, subscription);
        refreshSystemSubscribers();
        return deleted;
    }

    @Override
    public List<SubscriptionStatus> status(TenantId tenant, String subscription) {
        List<PartitionRow> rows = store.partitions(tenant, subscription);
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("subscription '" + subscription + "' does not exist in tenant '" + tenant
                    + "': expected the name of one of its subscriptions");
        }
        return rows.stream().map(EventBus::status).toList();
    }

    private static SubscriptionStatus status(PartitionRow r) {
        return new SubscriptionStatus(r.name(), r.channelName(), r.partition(), r.checkpoint(), r.lag(), r.state(),
                r.lastError(), r.retries(), r.runAs());
    }

    @Override
    public void resume(TenantId tenant, String subscription, ResumeFrom from) {
        Objects.requireNonNull(from, "from");
        List<PartitionRow> rows = store.partitions(tenant, subscription);
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("subscription '" + subscription + "' does not exist in tenant '" + tenant
                    + "': expected the name of one of its subscriptions");
        }
        int n = store.resume(rows.get(0).subscriptionId(), from, clock.instant());
        if (n > 0) {
            LOG.info("subscription {} of tenant {} resumed from its {} ({} partitions)", subscription, tenant,
                    from == ResumeFrom.TIP ? "tip" : "checkpoint", n);
        }
        signal();
    }

    // ---- delivery

    /**
     * Leases one due subscription partition that has events after its checkpoint and delivers one batch to its
     * handler on the calling thread.
     *
     * @param ignoreBackoff deliver retried batches now rather than after their delay (tests)
     * @param tenant only this tenant's subscriptions, or null
     * @return whether a partition was delivered
     */
    public boolean deliverOne(boolean ignoreBackoff, TenantId tenant) {
        if (handlers.isEmpty()) return false;
        Instant now = clock.instant();
        Optional<PartitionRow> claimed = store.claim(nodeId, now, now.plus(lease), ignoreBackoff ? FAR_FUTURE : now,
                tenant, handlers.keySet());
        claimed.ifPresent(this::deliver);
        return claimed.isPresent();
    }

    @Override
    public int deliverNow(TenantId tenant) {
        flushSystemEvents();
        int n = 0;
        while (deliverOne(true, tenant)) {
            n++;
            flushSystemEvents();
        }
        return n;
    }

    /** MDC keys set while a delivery runs, beside the tenant's (the same key jobs use). */
    static final String MDC_TENANT = "millrace.tenant";
    /** MDC key of the subscription being delivered. */
    static final String MDC_SUBSCRIPTION = "millrace.subscription";
    /** MDC key of the identity the handler runs as (SPEC EVT-9). */
    static final String MDC_RUN_AS = "millrace.runAs";

    /**
     * The identity the handler of the delivery running on this thread runs as, or null outside a delivery: the author
     * of what the platform audits during it without an explicit one.
     */
    public String runningAs() {
        DeliveryContextImpl ctx = DELIVERY.get();
        return ctx == null ? null : ctx.runAs();
    }

    /** Delivers one batch with the MDC naming the tenant, subscription and identity; the caller's MDC is restored. */
    private void deliver(PartitionRow p) {
        String[] keys = {MDC_TENANT, MDC_SUBSCRIPTION, MDC_RUN_AS};
        String[] values = {p.tenant().value(), p.name(), p.runAs()};
        String[] before = new String[keys.length];
        for (int i = 0; i < keys.length; i++) {
            before[i] = MDC.get(keys[i]);
            MDC.put(keys[i], values[i]);
        }
        try {
            deliverBatch(p);
        } finally {
            for (int i = 0; i < keys.length; i++) {
                if (before[i] == null) MDC.remove(keys[i]);
                else MDC.put(keys[i], before[i]);
            }
        }
    }

    private void deliverBatch(PartitionRow p) {
        Cached channel = cached(p.tenant(), p.channelName(), false);
        if (channel == null) return;
        List<EventRecord> batch = new ArrayList<>(Math.min(p.batchSize(), 256));
        long scanned = p.checkpoint();
        long position = p.checkpoint();
        int scanLimit = p.batchSize() * Math.max(1, p.partitions()) * 4;
        int scannedCount = 0;
        outer:
        while (batch.size() < p.batchSize() && scannedCount < scanLimit) {
            List<StoredEvent> rows = store.read(p.channelId(), position, p.partitions() == 1 ? p.batchSize() : p.batchSize() * 2);
            if (rows.isEmpty()) break;
            for (StoredEvent row : rows) {
                EventRecord e = new EventRecord(p.channelName(), row.replayId(), row.uuid(), row.publishedAt(),
                        new LazyFields(codec, channel.definition(), row.payload()));
                if (p.partitions() == 1 || partitionOf(e, p) == p.partition()) {
                    if (batch.size() == p.batchSize()) break outer;
                    batch.add(e);
                }
                scanned = row.replayId();
                position = row.replayId();
                scannedCount++;
            }
        }
        Instant now = clock.instant();
        if (batch.isEmpty()) {
            // Nothing for this partition in what was scanned: move past it.
            store.finish(null, p, new Outcome(scanned, SubscriptionState.ACTIVE, p.retries(), p.lastError(), now));
            return;
        }
        EventHandler handler = handlers.get(p.handlerClass());
        // Each batch is an execution with the tenant's asynchronous governor limits (SPEC EVT-8): queries and DML
        // through the context's connection, CPU, heap, immediate publish calls.
        dev.millrace.TenantPolicy tp = tenantPolicyOrDefaults(p.tenant());
        ExecutionLimits limits = new ExecutionLimits("async", tp.asyncLimits(), tp.enqueuePerAsyncExecution(),
                tp.futuresPerExecution());
        String calloutsRefused = policy(p.tenant()).calloutsInHandlers() ? null
                : "callouts are not allowed in event handlers (event policy calloutsInHandlers is off, SPEC EVT-15);"
                + " enqueue a queueable that makes the call";
        DeliveryContextImpl ctx = new DeliveryContextImpl(this, p, batch, dataSource, limits, http.get(),
                calloutsRefused);
        DELIVERY.set(ctx);
        limits.attach();
        Thread renewer = renewWhileRunning(p);
        try {
            handler.handle(Collections.unmodifiableList(batch), ctx);
            // A limit breached is final even if the handler caught the exception (as for jobs).
            limits.checkBreach();
            limits.checkResourcesAtEnd();
            ExecutionLimits.detach();
            DELIVERY.remove();
            stop(renewer);
            end(ctx, p, new Outcome(scanned, SubscriptionState.ACTIVE, 0, p.lastError(), now));
        } catch (Throwable t) {
            ExecutionLimits.detach();
            DELIVERY.remove();
            stop(renewer);
            if (!(t instanceof RetryableException) && ctx.resumeCheckpoint() != null) {
                // The work up to the resume checkpoint commits; the next delivery starts after it (SPEC EVT-10).
                LOG.warn("subscription {} of tenant {} failed after its resume checkpoint {}; resuming after it: {}",
                        p.name(), p.tenant(), ctx.resumeCheckpoint(), t.toString());
                end(ctx, p, new Outcome(ctx.resumeCheckpoint(), SubscriptionState.ACTIVE, 0,
                        t.getClass().getSimpleName() + ": " + t.getMessage(), now));
                return;
            }
            ctx.rollback(t);
            failed(p, t, scanned, now);
            if (t instanceof Error err && !(t instanceof AssertionError)) throw err;
        } finally {
            ExecutionLimits.detach();
            DELIVERY.remove();
            stop(renewer);
            ctx.close();
        }
    }

    /** The tenant's policy; the defaults if it cannot be read (a delivery still ends and records its outcome). */
    private dev.millrace.TenantPolicy tenantPolicyOrDefaults(TenantId tenant) {
        try {
            return tenantCheck.apply(tenant);
        } catch (RuntimeException e) {
            LOG.warn("policy of tenant {} unreadable for a delivery; default limits apply: {}", tenant, e.toString());
            return dev.millrace.TenantPolicy.DEFAULTS;
        }
    }

    /**
     * Keeps the partition's lease while a handler runs longer than a third of it, so a long batch is not claimed and
     * delivered a second time by another node. The checkpoint stays fenced by the lease token: if the lease is lost
     * anyway (this node stalled), the renewal stops and the batch's commit is refused.
     */
    private Thread renewWhileRunning(PartitionRow p) {
        long every = Math.max(1, lease.toMillis() / 3);
        return Thread.ofVirtual().name("millrace-event-lease-" + p.name()).start(() -> {
            try {
                while (true) {
                    Thread.sleep(every);
                    if (!store.renew(p, clock.instant().plus(lease))) {
                        LOG.warn("lease of subscription {} partition {} of tenant {} was lost while its handler ran; the"
                                + " batch will not commit", p.name(), p.partition(), p.tenant());
                        return;
                    }
                }
            } catch (InterruptedException e) {
                // the delivery ended
            } catch (RuntimeException e) {
                if (!Thread.currentThread().isInterrupted()) {
                    LOG.warn("could not renew the lease of subscription {} partition {}: {}", p.name(), p.partition(),
                            e.toString());
                }
            }
        });
    }

    /** Stops a renewer and waits for it, so no renewal runs after the delivery ends its lease. */
    private static void stop(Thread renewer) {
        if (!renewer.isAlive()) return;
        renewer.interrupt();
        boolean interrupted = false;
        while (true) {
            try {
                renewer.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    private void failed(PartitionRow p, Throwable t, long scanned, Instant now) {
        String message = t.getClass().getSimpleName() + ": " + t.getMessage();
        EventPolicy policy = policy(p.tenant());
        boolean retryable = t instanceof RetryableException || (policy.everyExceptionRetryable() && t instanceof Exception);
        if (retryable) {
            String error = t instanceof RetryableException ? t.getMessage() : message;
            int retries = p.retries() + 1;
            if (retries > policy.maxRetries()) {
                LOG.warn("subscription {} of tenant {} partition {} suspended after {} retries: {}", p.name(), p.tenant(),
                        p.partition(), policy.maxRetries(), message);
                store.finish(null, p, new Outcome(p.checkpoint(), SubscriptionState.SUSPENDED, policy.maxRetries(),
                        error, now));
            } else {
                store.finish(null, p, new Outcome(p.checkpoint(), SubscriptionState.ACTIVE, retries, error,
                        now.plus(backoff(retries))));
            }
            return;
        }
        LOG.warn("subscription {} of tenant {} skipped events {} to {} after an error: {}", p.name(), p.tenant(),
                p.checkpoint() + 1, scanned, message, t);
        store.finish(null, p, new Outcome(scanned, SubscriptionState.ACTIVE, 0, message, now));
    }

    /** Commits the delivery's work, its after-commit events and the new checkpoint together. */
    private void end(DeliveryContextImpl ctx, PartitionRow p, Outcome outcome) {
        Connection c = ctx.transaction();
        try {
            flush(c, ctx.pendingEvents());
            if (!store.finish(c, p, outcome)) {
                c.rollback();
                LOG.warn("delivery of subscription {} partition {} rolled back: its lease was lost to another node",
                        p.name(), p.partition());
                return;
            }
            c.commit();
        } catch (SQLException e) {
            throw new dev.millrace.internal.store.StoreException("ending a delivery of " + p.name() + " failed: "
                    + e.getMessage(), e);
        }
        afterCommit(ctx.pendingEvents());
    }

    static Duration backoff(int retries) {
        Duration d = RETRY_BACKOFF.multipliedBy(1L << Math.min(20, retries - 1));
        return d.compareTo(MAX_RETRY_BACKOFF) > 0 ? MAX_RETRY_BACKOFF : d;
    }

    static int partitionOf(EventRecord e, PartitionRow p) {
        String key = p.partitionKey() == null ? e.eventUuid().toString() : String.valueOf(e.fields().get(p.partitionKey()));
        int h = key.hashCode() * 0x9E3779B9;
        return Math.floorMod(h ^ (h >>> 16), p.partitions());
    }

    // ---- readers

    @Override
    public EventReader reader(TenantId tenant, String channel, ReplayFrom from) {
        return open(tenant, channel, from, false);
    }

    @Override
    public EventReader externalReader(TenantId tenant, String channel, ReplayFrom from) {
        return open(tenant, channel, from, true);
    }

    private EventReader open(TenantId tenant, String channel, ReplayFrom from, boolean external) {
        Objects.requireNonNull(from, "from");
        tenantCheck.apply(tenant);
        Cached c = channelOrSystem(tenant, channel);
        if (c == null) {
            throw new IllegalArgumentException("channel '" + channel + "' is not declared in tenant '" + tenant
                    + "': expected a declared channel");
        }
        ChannelRow row = store.channel(tenant, channel).orElseThrow();
        long start;
        if (from.replayId() == ReplayFrom.TIP) start = row.lastReplayId();
        else if (from.replayId() == ReplayFrom.EARLIEST) start = row.prunedThrough();
        else {
            start = from.replayId();
            if (start < row.prunedThrough()) throw expired(channel, start, row.prunedThrough());
            if (start > row.lastReplayId()) {
                throw new IllegalArgumentException("replay id " + start + " is after the last event of channel " + channel
                        + " (" + row.lastReplayId() + "): expected " + row.prunedThrough() + " to " + row.lastReplayId()
                        + ", -1 (tip) or -2 (earliest)");
            }
        }
        return new Reader(c, start, external ? tenant : null);
    }

    /** The first clock hour of the rolling 24 hours the delivery allocation counts at {@code now}. */
    static Instant deliveryWindowStart(Instant now) {
        return hourOf(now).minus(DELIVERY_WINDOW).plus(Duration.ofHours(1));
    }

    /**
     * Counts {@code wanted} events an external reader is about to return against the tenant's 24-hour allocation
     * (SPEC EVT-16), once per poll, and returns how many of them it may return.
     *
     * @throws DeliveryLimitException when none may
     */
    private int countDeliveries(TenantId tenant, int wanted) {
        int limit = policy(tenant).externalDeliveriesPer24h();
        Instant now = clock.instant();
        int granted = limit == 0 ? 0 : store.reserveDeliveries(tenant, hourOf(now), wanted, limit);
        if (granted > 0) return granted;
        java.util.NavigableMap<Instant, Long> counted = store.deliveries(tenant, deliveryWindowStart(now));
        long used = counted.values().stream().mapToLong(Long::longValue).sum();
        LOG.debug("tenant {} reached its 24-hour allocation of {} external deliveries", tenant, limit);
        // With an allocation of 0 nothing frees up by waiting.
        throw new DeliveryLimitException(tenant, limit, used,
                limit == 0 || counted.isEmpty() ? null : counted.firstKey().plus(DELIVERY_WINDOW));
    }

    /**
     * Events delivered to the tenant's external clients in the rolling 24 hours (of
     * {@link EventPolicy#externalDeliveriesPer24h()}), counted across nodes.
     */
    public long externalDeliveries(TenantId tenant) {
        return store.deliveries(tenant, deliveryWindowStart(clock.instant())).values().stream()
                .mapToLong(Long::longValue).sum();
    }

    private static ReplayIdExpiredException expired(String channel, long after, long prunedThrough) {
        return new ReplayIdExpiredException("events after replay id " + after + " of channel " + channel
                + " were pruned (retention): the earliest retained replay id is " + (prunedThrough + 1)
                + "; expected a replay id of at least " + prunedThrough + ", or start from the earliest (-2) or the tip (-1)");
    }

    private long signalCount() {
        synchronized (signal) {
            return signals;
        }
    }

    private void awaitSignal(long seen, long millis) throws InterruptedException {
        synchronized (signal) {
            long deadline = System.nanoTime() + millis * 1_000_000;
            while (signals == seen) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) return;
                signal.wait(left);
            }
        }
    }

    private final class Reader implements EventReader {
        private final Cached channel;
        /** The tenant whose delivery allocation the reader counts against; null for an in-process reader. */
        private final TenantId external;
        private long position;
        private boolean closed;

        Reader(Cached channel, long position, TenantId external) {
            this.channel = channel;
            this.position = position;
            this.external = external;
        }

        @Override
        public List<EventRecord> poll(int max, Duration timeout) throws InterruptedException {
            if (closed) throw new IllegalStateException("reader of channel " + channel.row().name() + " is closed");
            if (max < 1) throw new IllegalArgumentException("max " + max + " is out of range: expected at least 1");
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                long seen = signalCount();
                List<StoredEvent> rows = store.read(channel.row().id(), position, max);
                if (!rows.isEmpty()) {
                    // Replay ids are dense: a first id past position + 1 means the events between were pruned.
                    if (rows.get(0).replayId() != position + 1) {
                        throw expired(channel.row().name(), position, rows.get(0).replayId() - 1);
                    }
                    // Counted before anything is returned: refused, the position stays and the events stay readable.
                    if (external != null) {
                        int granted = countDeliveries(external, rows.size());
                        if (granted < rows.size()) rows = rows.subList(0, granted);
                    }
                    List<EventRecord> out = new ArrayList<>(rows.size());
                    for (StoredEvent r : rows) {
                        out.add(new EventRecord(channel.row().name(), r.replayId(), r.uuid(), r.publishedAt(),
                                new LazyFields(codec, channel.definition(), r.payload())));
                    }
                    position = rows.get(rows.size() - 1).replayId();
                    return out;
                }
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) return List.of();
                awaitSignal(seen, Math.min(left, pollInterval.toMillis()));
            }
        }

        @Override
        public long position() {
            return position;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    // ---- system channels

    /** Whether the tenant subscribes to the job status channel (a set lookup; re-read every few seconds). */
    public boolean publishesJobStatus(TenantId tenant) {
        return jobStatusTenants.contains(tenant);
    }

    /**
     * A job changed status: queued for the job status channel when the tenant has a subscription on it (checked
     * against an in-memory set, so the job path pays a set lookup otherwise).
     */
    public void jobStatusChanged(TenantId tenant, UUID jobId, String jobType, String from, String to) {
        if (!jobStatusTenants.contains(tenant)) return;
        queueSystemEvent(tenant, Events.JOB_STATUS_CHANNEL, Event.on(Events.JOB_STATUS_CHANNEL).with("jobId", jobId)
                .with("jobType", jobType).with("tenant", tenant.value()).with("oldStatus", from).with("newStatus", to));
    }

    /**
     * An occurrence of a schedule started its job: queued for the schedule fire channel when the tenant has a
     * subscription on it (a set lookup otherwise, as for job status changes).
     */
    public void scheduleFired(TenantId tenant, UUID scheduleId, Instant fireTime, UUID jobId) {
        if (!scheduleFireTenants.contains(tenant)) return;
        queueSystemEvent(tenant, Events.SCHEDULE_FIRE_CHANNEL, Event.on(Events.SCHEDULE_FIRE_CHANNEL)
                .with("scheduleId", scheduleId).with("fireTime", fireTime).with("jobId", jobId));
    }

    /**
     * A flag switch changed a flag's value (after its transaction committed): queued for the flag change channel
     * when the tenant has a subscription on it.
     */
    public void flagChanged(dev.millrace.flags.FlagChange change) {
        if (!flagChangeTenants.contains(change.tenant())) return;
        Event event = Event.on(Events.FLAG_CHANGE_CHANNEL).with("tenant", change.tenant().value())
                .with("flag", change.flag()).with("newValue", change.newValue())
                .with("changedBy", cut(change.changedBy())).with("changedAt", change.changedAt());
        if (change.oldValue() != null) event = event.with("oldValue", change.oldValue());
        queueSystemEvent(change.tenant(), Events.FLAG_CHANGE_CHANNEL, event);
    }

    /**
     * A batch recorded an error (after its transaction committed): queued for the batch error channel when the
     * tenant has a subscription on it. Long texts are cut to the channel's string length.
     */
    public void batchError(TenantId tenant, dev.millrace.internal.store.BatchStore.BatchErrorRow e) {
        if (!batchErrorTenants.contains(tenant)) return;
        Event event = Event.on(Events.BATCH_ERROR_CHANNEL).with("jobId", e.batch()).with("phase", e.phase().name());
        if (e.exceptionType() != null) event = event.with("exceptionType", cut(e.exceptionType()));
        if (e.message() != null) event = event.with("message", cut(e.message()));
        if (e.failedRecordIds() != null && !e.failedRecordIds().isEmpty()) {
            event = event.with("failedRecordIds", cut(e.failedRecordIds()));
        }
        queueSystemEvent(tenant, Events.BATCH_ERROR_CHANNEL, event);
    }

    private static String cut(String s) {
        int max = dev.millrace.event.FieldDefinition.STRING_MAX_LENGTH;
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    private void queueSystemEvent(TenantId tenant, String channel, Event event) {
        systemEvents.add(new SystemEvent(tenant, channel, event));
        for (Runnable r : listeners) r.run();
    }

    /** Re-reads which tenants subscribe to the job status channel. */
    public void refreshSystemSubscribers() {
        jobStatusTenants = Set.copyOf(store.tenantsSubscribedTo(Events.JOB_STATUS_CHANNEL));
        scheduleFireTenants = Set.copyOf(store.tenantsSubscribedTo(Events.SCHEDULE_FIRE_CHANNEL));
        batchErrorTenants = Set.copyOf(store.tenantsSubscribedTo(Events.BATCH_ERROR_CHANNEL));
        flagChangeTenants = Set.copyOf(store.tenantsSubscribedTo(Events.FLAG_CHANGE_CHANNEL));
    }

    /** Publishes queued system events; returns how many. */
    public int flushSystemEvents() {
        record Key(TenantId tenant, String channel) {
        }
        Map<Key, List<Event>> byTenant = new LinkedHashMap<>();
        for (SystemEvent e; (e = systemEvents.poll()) != null; ) {
            byTenant.computeIfAbsent(new Key(e.tenant(), e.channel()), k -> new ArrayList<>()).add(e.event());
        }
        int n = 0;
        for (Map.Entry<Key, List<Event>> e : byTenant.entrySet()) {
            try {
                n += publishSystem(e.getKey().tenant(), e.getKey().channel(), e.getValue()).size();
            } catch (RuntimeException x) {
                LOG.warn("could not publish {} {} events of tenant {}: {}", e.getValue().size(), e.getKey().channel(),
                        e.getKey().tenant(), x.getMessage());
            }
        }
        return n;
    }

    // ---- retention

    /**
     * Deletes events past their channel's retention (the tenant's policy for channels that set none) and usage
     * counts of hours before the rolling 24 hours of the delivery allocation; returns how many events.
     */
    public int prune() {
        Instant now = clock.instant();
        int total = 0;
        Map<TenantId, Duration> tenantRetention = new java.util.HashMap<>();
        for (ChannelRow row : store.channels()) {
            ChannelDefinition d = codec.readDefinition(row.name(), row.definition());
            Duration retention = d.retention() != null ? d.retention() : tenantRetention.computeIfAbsent(row.tenant(),
                    t -> Duration.ofHours(policy(t).retentionHours()));
            Instant cutoff = now.minus(retention);
            int n;
            do {
                n = store.prune(row.id(), cutoff, PRUNE_BATCH);
                total += n;
            } while (n == PRUNE_BATCH);
        }
        store.pruneUsage(deliveryWindowStart(now));
        return total;
    }

    /** Whether this node delivers any handler. */
    public boolean hasHandlers() {
        return !handlers.isEmpty();
    }

    /** Used by the delivery context: publishes from inside a handler (the delivery is this thread's). */
    List<PublishResult> publishFrom(DeliveryContextImpl ctx, List<Event> events) {
        return publish(null, ctx.tenant(), events, false);
    }
}
