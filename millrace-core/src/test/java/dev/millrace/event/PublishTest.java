package dev.millrace.event;

import dev.millrace.Millrace;
import dev.millrace.Queueable;
import dev.millrace.QueueableContext;
import dev.millrace.TenantId;
import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import dev.millrace.testing.MutableClock;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.math.BigDecimal;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.millrace.testing.Jobs.awaitTerminal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Channels and publishing: per-event validation, after-commit vs immediate, replay ids, readers, retention. */
class PublishTest extends DatabaseTest {
    static final TenantId ACME = TenantId.of("acme");
    static final ChannelDefinition ORDERS = ChannelDefinition.named("OrderPlaced")
            .field("orderId", FieldType.ID, true)
            .field("amount", FieldType.NUMBER, true)
            .field("paid", FieldType.BOOLEAN, false)
            .field("at", FieldType.DATE_TIME, false)
            .field("note", FieldType.STRING, false);
    static final ChannelDefinition AUDIT = ChannelDefinition.named("Audit")
            .field("message", FieldType.STRING, true).withBehavior(PublishBehavior.IMMEDIATE);

    private Millrace node(Db db) {
        return node(db, null);
    }

    private Millrace node(Db db, MutableClock clock) {
        Millrace.Builder b = builder(db).register(PublishingJob.class).register(ImmediatePublisher.class);
        if (clock != null) b.clock(clock);
        Millrace m = node(b);
        m.tenants().create(ACME);
        m.events().declare(ACME, ORDERS);
        m.events().declare(ACME, AUDIT);
        return m;
    }

    static Event order(String id, Object amount) {
        return Event.on("OrderPlaced").with("orderId", id).with("amount", amount);
    }

    private static List<EventRecord> readAll(Millrace m, String channel) throws InterruptedException {
        try (EventReader r = m.events().reader(ACME, channel, ReplayFrom.earliest())) {
            List<EventRecord> all = new ArrayList<>();
            for (List<EventRecord> got; !(got = r.poll(1000, Duration.ZERO)).isEmpty(); ) all.addAll(got);
            return all;
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void invalidEventsGetAResultNamingTheFieldAndValidOnesArePublished(Db db) throws Exception {
        Millrace m = node(db);
        Instant at = Instant.parse("2026-01-02T03:04:05Z");
        List<PublishResult> results = m.events().publish(ACME, List.of(
                order("o-1", 10).with("paid", true).with("at", at).with("note", "first"),
                Event.on("OrderPlaced").with("amount", 5),
                order("o-3", "ten"),
                order("o-4", 4).with("colour", "red"),
                order("o-5", 5).with("note", "x".repeat(256)),
                Event.on("NoSuchChannel").with("a", 1),
                Event.on(Events.JOB_STATUS_CHANNEL).with("jobId", "j"),
                order("o-8", new BigDecimal("8.50"))));

        assertThat(results).hasSize(8);
        assertThat(results.get(0).isSuccess()).isTrue();
        assertThat(results.get(0).replayId()).isEqualTo(1L);
        assertThat(results.get(1)).extracting(PublishResult::errorCode, PublishResult::field)
                .containsExactly("REQUIRED_FIELD_MISSING", "orderId");
        assertThat(results.get(2)).extracting(PublishResult::errorCode, PublishResult::field)
                .containsExactly("INVALID_FIELD_VALUE", "amount");
        assertThat(results.get(2).message()).contains("'ten'").contains("expected a finite Number");
        assertThat(results.get(3)).extracting(PublishResult::errorCode, PublishResult::field)
                .containsExactly("UNKNOWN_FIELD", "colour");
        assertThat(results.get(4)).extracting(PublishResult::errorCode, PublishResult::field)
                .containsExactly("INVALID_FIELD_VALUE", "note");
        assertThat(results.get(4).message()).contains("at most 255 characters");
        assertThat(results.get(5).errorCode()).isEqualTo("UNKNOWN_CHANNEL");
        assertThat(results.get(5).message()).contains("NoSuchChannel").contains("acme");
        assertThat(results.get(6).errorCode()).isEqualTo("ACCESS_DENIED");
        assertThat(results.get(7).replayId()).isEqualTo(2L);

        List<EventRecord> stored = readAll(m, "OrderPlaced");
        assertThat(stored).extracting(EventRecord::replayId).containsExactly(1L, 2L);
        EventRecord first = stored.get(0);
        assertThat(first.eventUuid()).isEqualTo(results.get(0).eventUuid());
        assertThat(first.getString("orderId")).isEqualTo("o-1");
        assertThat(first.getNumber("amount")).isEqualByComparingTo("10");
        assertThat(first.getBoolean("paid")).isTrue();
        assertThat(first.getInstant("at")).isEqualTo(at);
        assertThat(first.getString("note")).isEqualTo("first");
        assertThat(stored.get(1).getNumber("amount")).isEqualByComparingTo("8.50");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aLongTextFieldKeepsUpTo131072CharactersAndRefusesMoreNamingTheField(Db db) throws Exception {
        Millrace m = node(db);
        m.events().declare(ACME, ChannelDefinition.named("Note").field("body", FieldType.LONG_TEXT, true));
        String longest = "é".repeat(FieldDefinition.LONG_TEXT_MAX_LENGTH);
        List<PublishResult> results = m.events().publish(ACME, List.of(
                Event.on("Note").with("body", longest),
                Event.on("Note").with("body", longest + "x"),
                Event.on("Note").with("body", 42)));

        assertThat(results.get(0).isSuccess()).isTrue();
        assertThat(results.get(1)).extracting(PublishResult::errorCode, PublishResult::field)
                .containsExactly("INVALID_FIELD_VALUE", "body");
        assertThat(results.get(1).message()).contains("at most 131072 characters");
        assertThat(results.get(2).errorCode()).isEqualTo("INVALID_FIELD_VALUE");
        List<EventRecord> stored = readAll(m, "Note");
        assertThat(stored).hasSize(1);
        assertThat(stored.get(0).getString("body")).isEqualTo(longest);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void badDeclarationsAreRefusedNamingWhatWasWrong(Db db) {
        Millrace m = node(db);
        assertThatThrownBy(() -> ChannelDefinition.named("1bad")).hasMessageContaining("channel name '1bad'");
        assertThatThrownBy(() -> ORDERS.field("amount", FieldType.STRING, false))
                .hasMessageContaining("declares field 'amount' twice");
        assertThatThrownBy(() -> m.events().declare(ACME, ChannelDefinition.named(Events.JOB_STATUS_CHANNEL)))
                .hasMessageContaining("is a system channel");
        assertThatThrownBy(() -> m.events().declare(TenantId.of("nobody"), ChannelDefinition.named("X")))
                .isInstanceOf(dev.millrace.UnknownTenantException.class);
        assertThatThrownBy(() -> Subscription.of("s", "OrderPlaced", Recorder.class).withBatchSize(2001))
                .hasMessageContaining("batch size 2001").hasMessageContaining("1 to 2000");
        assertThatThrownBy(() -> m.events().subscribe(ACME, Subscription.of("s", "OrderPlaced", Recorder.class)
                .withPartitions(2, "note"))).hasMessageContaining("partition key 'note'");
        assertThatThrownBy(() -> m.events().subscribe(ACME, Subscription.of("s", "Nope", Recorder.class)))
                .hasMessageContaining("channel 'Nope'");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void afterCommitEventsOnTheCallersConnectionVanishOnRollbackImmediateOnesStay(Db db) throws Exception {
        Millrace m = node(db);
        try (Connection c = database(db).dataSource().getConnection()) {
            c.setAutoCommit(false);
            List<PublishResult> r = m.events().publish(c, ACME, List.of(order("o-1", 1),
                    Event.on("Audit").with("message", "tried o-1")));
            assertThat(r).allMatch(PublishResult::isSuccess);
            c.rollback();
        }
        assertThat(readAll(m, "OrderPlaced")).isEmpty();
        assertThat(readAll(m, "Audit")).extracting(e -> e.getString("message")).containsExactly("tried o-1");

        try (Connection c = database(db).dataSource().getConnection()) {
            c.setAutoCommit(false);
            List<PublishResult> r = m.events().publish(c, ACME, List.of(order("o-2", 2)));
            // The rolled-back publish took no replay id: ids stay dense.
            assertThat(r.get(0).replayId()).isEqualTo(1L);
            c.commit();
        }
        assertThat(readAll(m, "OrderPlaced")).extracting(e -> e.getString("orderId")).containsExactly("o-2");
    }

    /** Publishes one order and one audit line, then fails when told to. */
    public static final class PublishingJob implements Queueable {
        String orderId;
        boolean fail;

        PublishingJob() {
        }

        PublishingJob(String orderId, boolean fail) {
            this.orderId = orderId;
            this.fail = fail;
        }

        @Override
        public void execute(QueueableContext context) {
            List<PublishResult> r = context.publish(List.of(order(orderId, 1),
                    Event.on("Audit").with("message", "job for " + orderId)));
            if (!r.stream().allMatch(PublishResult::isSuccess)) throw new IllegalStateException(r.toString());
            if (fail) throw new IllegalStateException("failing on purpose");
        }
    }

    /** Publishes immediate events one call at a time, one call more than its governor limit allows. */
    public static final class ImmediatePublisher implements Queueable {
        @Override
        public void execute(QueueableContext context) {
            long budget = context.limits().budget(dev.millrace.limits.Limit.PUBLISH_IMMEDIATE);
            for (long i = 0; i <= budget; i++) {
                context.publish(List.of(Event.on("Audit").with("message", "call " + i)));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void immediatePublishCallsCountAgainstTheGovernorLimitAndTheBreachingCallPublishesNothing(Db db) throws Exception {
        Millrace m = node(db);
        m.start();
        var id = m.enqueue(ACME, new ImmediatePublisher());
        var job = awaitTerminal(m, ACME, id);
        long budget = dev.millrace.limits.LimitProfile.ASYNC.budget(dev.millrace.limits.Limit.PUBLISH_IMMEDIATE);
        assertThat(job.status()).isEqualTo(dev.millrace.JobStatus.FAILED);
        assertThat(job.extendedStatus()).contains("immediate event publishes");
        assertThat(readAll(m, "Audit")).hasSize((int) budget);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aJobsAfterCommitEventsCommitWithItAndAFailedJobsDoNot(Db db) throws Exception {
        Millrace m = node(db);
        m.start();
        var ok = m.enqueue(ACME, new PublishingJob("good", false));
        var bad = m.enqueue(ACME, new PublishingJob("bad", true));
        awaitTerminal(m, ACME, ok);
        awaitTerminal(m, ACME, bad);
        assertThat(readAll(m, "OrderPlaced")).extracting(e -> e.getString("orderId")).containsExactly("good");
        assertThat(readAll(m, "Audit")).extracting(e -> e.getString("message"))
                .containsExactlyInAnyOrder("job for good", "job for bad");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void concurrentPublishersGetStrictlyIncreasingReplayIdsAndAReaderNeverSeesAGapFilledLater(Db db) throws Exception {
        Millrace m = node(db);
        int publishers = 4;
        int perPublisher = 60;
        AtomicBoolean done = new AtomicBoolean();
        List<Long> seen = Collections.synchronizedList(new ArrayList<>());
        List<String> problems = Collections.synchronizedList(new ArrayList<>());
        Thread reader = Thread.ofPlatform().start(() -> {
            try (EventReader r = m.events().reader(ACME, "OrderPlaced", ReplayFrom.earliest())) {
                long last = 0;
                while (!done.get() || seen.size() < publishers * perPublisher) {
                    for (EventRecord e : r.poll(500, Duration.ofMillis(20))) {
                        if (e.replayId() != last + 1) problems.add("after " + last + " came " + e.replayId());
                        last = e.replayId();
                        seen.add(e.replayId());
                    }
                }
            } catch (Exception e) {
                problems.add(e.toString());
            }
        });
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        for (int p = 0; p < publishers; p++) {
            int id = p;
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                    for (int i = 0; i < perPublisher; i++) {
                        // Each publish holds the channel for a moment inside a transaction, as a slow caller would.
                        try (Connection c = database(db).dataSource().getConnection()) {
                            c.setAutoCommit(false);
                            m.events().publish(c, ACME, List.of(order("p" + id + "-" + i, i)));
                            if (i % 7 == 0) Thread.sleep(1);
                            if (i % 10 == 9) c.rollback();
                            else c.commit();
                        }
                        if (i % 10 == 9) m.events().publish(ACME, List.of(order("p" + id + "-" + i, i)));
                    }
                } catch (Throwable t) {
                    errors.add(t);
                }
            }));
        }
        start.countDown();
        for (Thread t : threads) t.join();
        done.set(true);
        reader.join(60_000);
        assertThat(errors).isEmpty();
        assertThat(problems).isEmpty();
        assertThat(seen).hasSize(publishers * perPublisher);
        for (int i = 0; i < seen.size(); i++) assertThat(seen.get(i)).isEqualTo(i + 1L);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void readersStartAtTheTipTheEarliestOrAReplayIdAndFollowNewEvents(Db db) throws Exception {
        Millrace m = node(db);
        m.events().publish(ACME, List.of(order("a", 1), order("b", 2), order("c", 3)));
        try (EventReader tip = m.events().reader(ACME, "OrderPlaced", ReplayFrom.tip());
             EventReader after = m.events().reader(ACME, "OrderPlaced", ReplayFrom.after(1))) {
            assertThat(after.poll(10, Duration.ZERO)).extracting(e -> e.getString("orderId")).containsExactly("b", "c");
            assertThat(tip.poll(10, Duration.ofMillis(50))).isEmpty();
            Thread publisher = Thread.ofPlatform().start(() -> m.events().publish(ACME, List.of(order("d", 4))));
            assertThat(tip.poll(10, Duration.ofSeconds(20))).extracting(e -> e.getString("orderId")).containsExactly("d");
            publisher.join();
            assertThat(tip.position()).isEqualTo(4);
        }
        assertThatThrownBy(() -> m.events().reader(ACME, "OrderPlaced", ReplayFrom.after(99)))
                .hasMessageContaining("replay id 99 is after the last event");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void eventsPastRetentionArePrunedAndReplayingFromThemIsAnError(Db db) throws Exception {
        MutableClock clock = MutableClock.now();
        Millrace m = node(db, clock);
        m.events().publish(ACME, List.of(order("old-1", 1), order("old-2", 2)));
        EventReader stale = closeAfter(m.events().reader(ACME, "OrderPlaced", ReplayFrom.earliest()));
        clock.advance(Duration.ofHours(71));
        m.events().publish(ACME, List.of(order("new-3", 3)));
        clock.advance(Duration.ofHours(2));

        var sql = database(db);
        assertThat(pruneNow(m)).isEqualTo(2);
        assertThat(readAll(m, "OrderPlaced")).extracting(e -> e.getString("orderId")).containsExactly("new-3");
        assertThatThrownBy(() -> m.events().reader(ACME, "OrderPlaced", ReplayFrom.after(1)))
                .isInstanceOf(ReplayIdExpiredException.class).hasMessageContaining("earliest retained replay id is 3");
        assertThatThrownBy(() -> stale.poll(10, Duration.ZERO)).isInstanceOf(ReplayIdExpiredException.class);
        assertThat(sql.queryLong("SELECT COUNT(*) FROM \"" + sql.schema() + "\".mr_event")).isEqualTo(1);
    }

    static int pruneNow(Millrace m) {
        return ((dev.millrace.internal.event.EventBus) m.events()).prune();
    }

    /** Records every batch it gets. */
    public static final class Recorder implements EventHandler {
        static final Map<String, List<List<Long>>> BATCHES = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public void handle(List<EventRecord> events, DeliveryContext context) {
            BATCHES.computeIfAbsent(context.subscription() + "/" + context.partition(), k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                    .add(events.stream().map(EventRecord::replayId).toList());
        }
    }
}
