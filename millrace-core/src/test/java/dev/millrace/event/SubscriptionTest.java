package dev.millrace.event;

import dev.millrace.JobId;
import dev.millrace.Millrace;
import dev.millrace.Queueable;
import dev.millrace.QueueableContext;
import dev.millrace.TenantId;
import dev.millrace.internal.event.EventBus;
import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import dev.millrace.testing.MutableClock;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.millrace.testing.Jobs.awaitTerminal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Subscriptions: batches in order, checkpoints, resume checkpoints, retries and suspension, partitions, leases. */
class SubscriptionTest extends DatabaseTest {
    static final TenantId ACME = TenantId.of("acme");
    static final ChannelDefinition ORDERS = ChannelDefinition.named("OrderPlaced")
            .field("orderId", FieldType.ID, true)
            .field("customerId", FieldType.ID, true)
            .field("seq", FieldType.NUMBER, true);

    /** What the handlers saw, and how they should behave, for the running test. */
    static final List<List<Long>> BATCHES = new CopyOnWriteArrayList<>();
    static final List<Integer> RETRIES_SEEN = new CopyOnWriteArrayList<>();
    static final Map<Integer, List<EventRecord>> BY_PARTITION = new ConcurrentHashMap<>();
    static final AtomicInteger IN_FLIGHT = new AtomicInteger();
    static final AtomicInteger MAX_IN_FLIGHT = new AtomicInteger();
    static volatile boolean failRetryably;
    static volatile boolean failOtherwise;
    static volatile String table;

    private Millrace node(Db db) {
        return node(db, null);
    }

    private Millrace node(Db db, MutableClock clock) {
        BATCHES.clear();
        RETRIES_SEEN.clear();
        BY_PARTITION.clear();
        IN_FLIGHT.set(0);
        MAX_IN_FLIGHT.set(0);
        failRetryably = false;
        failOtherwise = false;
        Millrace.Builder b = builder(db).registerHandler(Recording.class).registerHandler(Checkpointing.class)
                .registerHandler(Slow.class).registerHandler(Partitioned.class).registerHandler(JobWatcher.class).registerHandler(OutOfBatch.class)
                .registerHandler(FireWatcher.class).register(Noop.class).register(EverySecond.class);
        if (clock != null) b.clock(clock);
        Millrace m = node(b);
        var d = database(db);
        table = "\"" + d.schema() + "\".handled";
        d.execute("CREATE TABLE IF NOT EXISTS " + table + " (replay_id BIGINT)");
        d.execute("DELETE FROM " + table);
        m.tenants().create(ACME);
        m.events().declare(ACME, ORDERS);
        return m;
    }

    static void publish(Millrace m, int count) {
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            events.add(Event.on("OrderPlaced").with("orderId", "o-" + i).with("customerId", "c" + (i % 6)).with("seq", i));
        }
        assertThat(m.events().publish(ACME, events)).allMatch(PublishResult::isSuccess);
    }

    private long handledRows(Db db) {
        return database(db).queryLong("SELECT COUNT(*) FROM " + table);
    }

    /** Records each batch, writes a row per event in the delivery's transaction, fails when told to. */
    public static final class Recording implements EventHandler {
        @Override
        public void handle(List<EventRecord> events, DeliveryContext context) throws Exception {
            RETRIES_SEEN.add(context.retries());
            try (PreparedStatement ps = context.connection().prepareStatement("INSERT INTO " + table + " VALUES (?)")) {
                for (EventRecord e : events) {
                    ps.setLong(1, e.replayId());
                    ps.executeUpdate();
                }
            }
            BATCHES.add(events.stream().map(EventRecord::replayId).toList());
            if (failRetryably) throw new RetryableException("downstream unavailable (retry " + context.retries() + ")");
            if (failOtherwise) throw new IllegalStateException("bad data");
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void deliversBatchesInReplayOrderAndMovesTheCheckpoint(Db db) {
        Millrace m = node(db);
        m.events().subscribe(ACME, Subscription.of("rec", "OrderPlaced", Recording.class).withBatchSize(2));
        publish(m, 5);
        assertThat(m.events().status(ACME, "rec").get(0).lag()).isEqualTo(5);
        assertThat(m.events().deliverNow(ACME)).isEqualTo(3);
        assertThat(BATCHES).containsExactly(List.of(1L, 2L), List.of(3L, 4L), List.of(5L));
        SubscriptionStatus s = m.events().status(ACME, "rec").get(0);
        assertThat(s.checkpoint()).isEqualTo(5);
        assertThat(s.lag()).isZero();
        assertThat(s.state()).isEqualTo(SubscriptionState.ACTIVE);
        assertThat(handledRows(db)).isEqualTo(5);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aNewSubscriptionStartsAtTheTipUnlessToldOtherwise(Db db) {
        Millrace m = node(db);
        publish(m, 3);
        m.events().subscribe(ACME, Subscription.of("tip", "OrderPlaced", Recording.class));
        m.events().subscribe(ACME, Subscription.of("all", "OrderPlaced", Recording.class)
                .startingFrom(ReplayFrom.earliest()));
        m.events().deliverNow(ACME);
        assertThat(BATCHES).containsExactly(List.of(1L, 2L, 3L));
    }

    /** Handles events one by one, setting a resume checkpoint after each; fails at the third event once. */
    public static final class Checkpointing implements EventHandler {
        static final AtomicInteger FAILURES = new AtomicInteger();

        @Override
        public void handle(List<EventRecord> events, DeliveryContext context) throws Exception {
            BATCHES.add(events.stream().map(EventRecord::replayId).toList());
            for (EventRecord e : events) {
                if (e.replayId() == 3 && FAILURES.getAndIncrement() == 0) throw new IllegalStateException("poison 3");
                try (PreparedStatement ps = context.connection().prepareStatement("INSERT INTO " + table + " VALUES (?)")) {
                    ps.setLong(1, e.replayId());
                    ps.executeUpdate();
                }
                context.setResumeCheckpoint(e.replayId());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void afterAFailureDeliveryResumesAfterTheResumeCheckpointKeepingTheWorkBeforeIt(Db db) {
        Millrace m = node(db);
        Checkpointing.FAILURES.set(0);
        m.events().subscribe(ACME, Subscription.of("cp", "OrderPlaced", Checkpointing.class));
        publish(m, 5);
        m.events().deliverNow(ACME);
        assertThat(BATCHES).containsExactly(List.of(1L, 2L, 3L, 4L, 5L), List.of(3L, 4L, 5L));
        assertThat(handledRows(db)).isEqualTo(5);
        SubscriptionStatus s = m.events().status(ACME, "cp").get(0);
        assertThat(s.checkpoint()).isEqualTo(5);
        assertThat(s.lastError()).contains("poison 3");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aBatchRunsUnderTheTenantsAsyncLimitsAndABreachKeepsTheWorkUpToTheResumeCheckpoint(Db db) {
        Millrace m = node(db);
        Checkpointing.FAILURES.set(1);
        dev.millrace.TenantPolicy policy = m.tenants().policy(ACME).orElseThrow();
        m.tenants().put(ACME, policy.withLimits(policy.syncLimits(),
                policy.asyncLimits().with(dev.millrace.limits.Limit.DML_STATEMENTS, 3)));
        m.events().subscribe(ACME, Subscription.of("cp", "OrderPlaced", Checkpointing.class));
        publish(m, 5);
        m.events().deliverNow(ACME);
        // Three inserts per batch: the fourth statement breaches the limit, the work up to event 3 commits, the
        // next batch starts after it (SPEC EVT-8, EVT-10).
        assertThat(BATCHES).containsExactly(List.of(1L, 2L, 3L, 4L, 5L), List.of(4L, 5L));
        assertThat(handledRows(db)).isEqualTo(5);
        SubscriptionStatus s = m.events().status(ACME, "cp").get(0);
        assertThat(s.checkpoint()).isEqualTo(5);
        assertThat(s.lastError()).contains("LimitException").contains("DML statements");
    }

    /** Asks for a resume checkpoint outside its batch and records the refusal. */
    public static final class OutOfBatch implements EventHandler {
        static final List<String> ERRORS = new CopyOnWriteArrayList<>();

        @Override
        public void handle(List<EventRecord> events, DeliveryContext context) {
            try {
                context.setResumeCheckpoint(events.get(events.size() - 1).replayId() + 100);
            } catch (IllegalArgumentException e) {
                ERRORS.add(e.getMessage());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aResumeCheckpointOutsideTheBatchIsRefused(Db db) {
        Millrace m = node(db);
        OutOfBatch.ERRORS.clear();
        m.events().subscribe(ACME, Subscription.of("oob", "OrderPlaced", OutOfBatch.class));
        publish(m, 2);
        m.events().deliverNow(ACME);
        assertThat(OutOfBatch.ERRORS).containsExactly(
                "resume checkpoint 102 is not in the current batch: expected the replay id of one of its events (1 to 2)");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aRetryableFailureRedeliversTheSameBatchNineTimesThenSuspendsUntilResumed(Db db) {
        Millrace m = node(db);
        m.events().subscribe(ACME, Subscription.of("rec", "OrderPlaced", Recording.class).withBatchSize(3));
        publish(m, 3);
        failRetryably = true;
        m.events().deliverNow(ACME);
        assertThat(BATCHES).hasSize(10).allMatch(b -> b.equals(List.of(1L, 2L, 3L)));
        assertThat(RETRIES_SEEN).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(handledRows(db)).isZero();
        SubscriptionStatus s = m.events().status(ACME, "rec").get(0);
        assertThat(s.state()).isEqualTo(SubscriptionState.SUSPENDED);
        assertThat(s.retries()).isEqualTo(9);
        assertThat(s.checkpoint()).isZero();
        assertThat(s.lastError()).contains("downstream unavailable (retry 9)");

        publish(m, 1);
        assertThat(m.events().deliverNow(ACME)).isZero();

        failRetryably = false;
        m.events().resume(ACME, "rec", ResumeFrom.CHECKPOINT);
        m.events().deliverNow(ACME);
        assertThat(BATCHES.subList(10, BATCHES.size())).containsExactly(List.of(1L, 2L, 3L), List.of(4L));
        assertThat(m.events().status(ACME, "rec").get(0)).extracting(SubscriptionStatus::state,
                SubscriptionStatus::checkpoint, SubscriptionStatus::retries).containsExactly(SubscriptionState.ACTIVE, 4L, 0);
        assertThat(handledRows(db)).isEqualTo(4);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aSuspendedSubscriptionResumedFromTheTipSkipsRetainedEvents(Db db) {
        Millrace m = node(db);
        m.events().subscribe(ACME, Subscription.of("rec", "OrderPlaced", Recording.class));
        publish(m, 2);
        failRetryably = true;
        m.events().deliverNow(ACME);
        failRetryably = false;
        BATCHES.clear();
        m.events().resume(ACME, "rec", ResumeFrom.TIP);
        assertThat(m.events().status(ACME, "rec").get(0).checkpoint()).isEqualTo(2);
        publish(m, 1);
        m.events().deliverNow(ACME);
        assertThat(BATCHES).containsExactly(List.of(3L));
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void retriesWaitAGrowingDelay(Db db) {
        MutableClock clock = MutableClock.now();
        Millrace m = node(db, clock);
        EventBus bus = (EventBus) m.events();
        m.events().subscribe(ACME, Subscription.of("rec", "OrderPlaced", Recording.class));
        publish(m, 1);
        failRetryably = true;
        assertThat(bus.deliverOne(false, ACME)).isTrue();
        assertThat(bus.deliverOne(false, ACME)).isFalse();
        clock.advance(EventBus.RETRY_BACKOFF);
        assertThat(bus.deliverOne(false, ACME)).isTrue();
        clock.advance(EventBus.RETRY_BACKOFF);
        assertThat(bus.deliverOne(false, ACME)).isFalse();
        clock.advance(EventBus.RETRY_BACKOFF);
        assertThat(bus.deliverOne(false, ACME)).isTrue();
        assertThat(RETRIES_SEEN).containsExactly(0, 1, 2);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void anyOtherExceptionSkipsTheBatchRollsBackItsWorkAndRecordsTheError(Db db) {
        Millrace m = node(db);
        m.events().subscribe(ACME, Subscription.of("rec", "OrderPlaced", Recording.class).withBatchSize(2));
        publish(m, 2);
        failOtherwise = true;
        m.events().deliverNow(ACME);
        failOtherwise = false;
        publish(m, 1);
        m.events().deliverNow(ACME);
        assertThat(BATCHES).containsExactly(List.of(1L, 2L), List.of(3L));
        assertThat(handledRows(db)).isEqualTo(1);
        SubscriptionStatus s = m.events().status(ACME, "rec").get(0);
        assertThat(s.checkpoint()).isEqualTo(3);
        assertThat(s.lastError()).contains("IllegalStateException: bad data");
    }

    /** Records each event under its partition. */
    public static final class Partitioned implements EventHandler {
        @Override
        public void handle(List<EventRecord> events, DeliveryContext context) {
            BY_PARTITION.computeIfAbsent(context.partition(), k -> new CopyOnWriteArrayList<>()).addAll(events);
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void partitionsKeepTheOrderOfEachKeyAndSeeEveryEventOnce(Db db) {
        Millrace m = node(db);
        m.events().subscribe(ACME, Subscription.of("split", "OrderPlaced", Partitioned.class)
                .withPartitions(3, "customerId").withBatchSize(4));
        publish(m, 60);
        m.events().deliverNow(ACME);
        assertThat(m.events().status(ACME, "split")).hasSize(3).allMatch(s -> s.checkpoint() == 60);
        List<EventRecord> all = BY_PARTITION.values().stream().flatMap(List::stream).toList();
        assertThat(all).hasSize(60);
        assertThat(all.stream().map(EventRecord::replayId).distinct().count()).isEqualTo(60);
        Map<String, Integer> partitionOf = new java.util.HashMap<>();
        BY_PARTITION.forEach((p, events) -> {
            long last = 0;
            for (EventRecord e : events) {
                assertThat(e.replayId()).isGreaterThan(last);
                last = e.replayId();
                Integer before = partitionOf.put(e.getString("customerId"), p);
                assertThat(before == null || before.equals(p)).as("customer %s in one partition", e.getString("customerId"))
                        .isTrue();
            }
        });
        assertThat(BY_PARTITION.size()).isGreaterThan(1);
    }

    /** Slow, and counts how many deliveries run at once. */
    public static final class Slow implements EventHandler {
        @Override
        public void handle(List<EventRecord> events, DeliveryContext context) throws Exception {
            int now = IN_FLIGHT.incrementAndGet();
            MAX_IN_FLIGHT.accumulateAndGet(now, Math::max);
            try {
                Thread.sleep(5);
                BATCHES.add(events.stream().map(EventRecord::replayId).toList());
            } finally {
                IN_FLIGHT.decrementAndGet();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void onlyOneDeliveryOfASubscriptionRunsAtATimeAcrossTwoNodes(Db db) {
        Millrace a = node(db);
        Millrace b = started(builder(db).registerHandler(Slow.class).nodeId("second"));
        a.start();
        a.events().subscribe(ACME, Subscription.of("slow", "OrderPlaced", Slow.class).withBatchSize(5));
        for (int i = 0; i < 10; i++) publish(a, 10);
        await().atMost(Duration.ofSeconds(60)).until(() -> a.events().status(ACME, "slow").get(0).checkpoint() == 100);
        assertThat(MAX_IN_FLIGHT.get()).isEqualTo(1);
        List<Long> delivered = BATCHES.stream().flatMap(List::stream).toList();
        assertThat(delivered).hasSize(100);
        for (int i = 0; i < delivered.size(); i++) assertThat(delivered.get(i)).isEqualTo(i + 1L);
        assertThat(b.nodeId()).isEqualTo("second");
    }

    /** Collects job status events. */
    public static final class JobWatcher implements EventHandler {
        static final List<String> SEEN = new CopyOnWriteArrayList<>();

        @Override
        public void handle(List<EventRecord> events, DeliveryContext context) {
            for (EventRecord e : events) {
                SEEN.add(e.getString("jobId") + " " + e.getString("jobType") + " " + e.getString("oldStatus") + "->"
                        + e.getString("newStatus"));
            }
        }
    }

    /** Does nothing. */
    public static final class Noop implements Queueable {
        @Override
        public void execute(QueueableContext context) {
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void jobStatusChangesArePublishedOnTheSystemChannel(Db db) {
        Millrace m = node(db);
        JobWatcher.SEEN.clear();
        m.events().subscribe(ACME, Subscription.of("watch", Events.JOB_STATUS_CHANNEL, JobWatcher.class));
        m.start();
        JobId id = m.enqueue(ACME, new Noop());
        awaitTerminal(m, ACME, id);
        await().atMost(Duration.ofSeconds(30)).until(() -> JobWatcher.SEEN.size() >= 2);
        assertThat(JobWatcher.SEEN).containsExactly(id + " QUEUEABLE QUEUED->PROCESSING",
                id + " QUEUEABLE PROCESSING->COMPLETED");
        assertThat(m.events().publish(ACME, List.of(Event.on(Events.JOB_STATUS_CHANNEL).with("jobId", "x"))).get(0)
                .errorCode()).isEqualTo("ACCESS_DENIED");
    }

    /** A schedulable that does nothing. */
    public static final class EverySecond implements dev.millrace.schedule.Schedulable {
        @Override
        public void execute(dev.millrace.schedule.ScheduleContext context) {
        }
    }

    /** Records schedule fire events. */
    public static final class FireWatcher implements EventHandler {
        static final List<String> SEEN = new CopyOnWriteArrayList<>();

        @Override
        public void handle(List<EventRecord> events, DeliveryContext context) {
            for (EventRecord e : events) {
                SEEN.add(e.getString("scheduleId") + " " + e.getString("jobId") + " " + e.getString("fireTime"));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void scheduleFiresArePublishedOnTheSystemChannel(Db db) {
        Millrace m = node(db);
        FireWatcher.SEEN.clear();
        m.events().subscribe(ACME, Subscription.of("fires", Events.SCHEDULE_FIRE_CHANNEL, FireWatcher.class));
        m.tenants().put(ACME, dev.millrace.TenantPolicy.DEFAULTS.withMinScheduleIntervalSeconds(1));
        var schedule = m.schedule(ACME, "tick", "* * * * * ?", new EverySecond(), java.time.ZoneOffset.UTC);
        m.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> !FireWatcher.SEEN.isEmpty());
        String[] first = FireWatcher.SEEN.get(0).split(" ");
        assertThat(first[0]).isEqualTo(schedule.value());
        assertThat(m.jobs().find(ACME, JobId.of(first[1])).orElseThrow().type()).isEqualTo(dev.millrace.JobType.SCHEDULED);
        assertThat(java.time.Instant.parse(first[2]).getNano()).as("an occurrence is a whole second").isZero();
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void statusOfAnUnknownSubscriptionIsAClearError(Db db) {
        Millrace m = node(db);
        assertThatThrownBy(() -> m.events().status(ACME, "nope"))
                .hasMessageContaining("subscription 'nope' does not exist in tenant 'acme'");
    }
}
