package dev.millrace.event;

import dev.millrace.Millrace;
import dev.millrace.TenantId;
import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import dev.millrace.testing.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The 24-hour allocation of events delivered to external clients (SPEC EVT-16): counted per poll of an external
 * reader, across nodes, in the rolling 24 hours; handlers and in-process readers do not count.
 */
class ExternalDeliveryAllocationTest extends DatabaseTest {
    static final TenantId ACME = TenantId.of("acme");
    static final TenantId GLOBEX = TenantId.of("globex");

    /** A clock a minute into an hour, so a test's reads fall in the hour it expects. */
    static MutableClock clock() {
        return new MutableClock(Instant.now().truncatedTo(ChronoUnit.HOURS).plusSeconds(60));
    }

    private Millrace node(Db db, String id, MutableClock clock) {
        return node(builder(db).nodeId(id).clock(clock).registerHandler(EventPolicyTest.Quiet.class));
    }

    private static void setUp(Millrace m, int allocation, int events) {
        for (TenantId t : List.of(ACME, GLOBEX)) {
            m.tenants().create(t);
            m.events().declare(t, EventPolicyTest.ORDERS);
        }
        m.events().putPolicy(ACME, EventPolicy.DEFAULTS.withExternalDeliveriesPer24h(allocation));
        assertThat(m.events().publish(ACME, EventPolicyTest.orders(0, events))).allMatch(PublishResult::isSuccess);
    }

    private static List<String> ids(List<EventRecord> events) {
        return events.stream().map(e -> e.getString("orderId")).toList();
    }

    @Test
    void theDefaultIsSpecsFiftyThousandAndANegativeAllocationIsRefusedNamingTheKey() {
        assertThat(EventPolicy.DEFAULTS.externalDeliveriesPer24h()).isEqualTo(50_000);
        assertThat(EventPolicy.DEFAULTS.withExternalDeliveriesPer24h(5).externalDeliveriesPer24h()).isEqualTo(5);
        assertThatThrownBy(() -> EventPolicy.DEFAULTS.withExternalDeliveriesPer24h(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("event policy externalDeliveriesPer24h = -1 is out of range: expected 0 to 2147483647");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void externalReadersOfTwoNodesShareTheAllocationAndStopAtItKeepingTheirPosition(Db db) throws Exception {
        MutableClock clock = clock();
        Millrace a = node(db, "a", clock);
        Millrace b = node(db, "b", clock);
        setUp(a, 5, 8);
        assertThat(b.events().policy(ACME).externalDeliveriesPer24h()).as("stored, read by the other node")
                .isEqualTo(5);

        try (EventReader r = a.events().externalReader(ACME, "OrderPlaced", ReplayFrom.earliest())) {
            assertThat(ids(r.poll(3, Duration.ZERO))).containsExactly("o-0", "o-1", "o-2");
        }
        try (EventReader r = b.events().externalReader(ACME, "OrderPlaced", ReplayFrom.after(3))) {
            // Five events wait; two are left of the allocation: the poll returns those two only.
            assertThat(ids(r.poll(10, Duration.ZERO))).containsExactly("o-3", "o-4");
            assertThat(r.position()).isEqualTo(5);
            assertThatThrownBy(() -> r.poll(10, Duration.ZERO))
                    .isInstanceOfSatisfying(DeliveryLimitException.class, e -> {
                        assertThat(e.tenant()).isEqualTo(ACME);
                        assertThat(e.allocation()).isEqualTo(5);
                        assertThat(e.used()).isEqualTo(5);
                        assertThat(e.resetsAt()).isEqualTo(clock.instant().truncatedTo(ChronoUnit.HOURS)
                                .plus(Duration.ofHours(24)));
                    })
                    .hasMessageContaining("external deliveries of the last 24 hours")
                    .hasMessageContaining("event policy externalDeliveriesPer24h");
            assertThat(r.position()).as("a refused poll does not move").isEqualTo(5);
        }
        assertThat(a.tenants().usage(ACME).externalDeliveries()).isEqualTo(5);
        assertThat(b.tenants().usage(ACME).externalDeliveries()).isEqualTo(5);
        assertThat(a.tenants().usage(GLOBEX).externalDeliveries()).as("per tenant").isZero();

        // In-process readers do not count: they still read everything.
        try (EventReader r = a.events().reader(ACME, "OrderPlaced", ReplayFrom.earliest())) {
            assertThat(r.poll(100, Duration.ZERO)).hasSize(8);
        }
        // An external reader with nothing to return is not refused: it only waits.
        try (EventReader r = a.events().externalReader(ACME, "OrderPlaced", ReplayFrom.tip())) {
            assertThat(r.poll(10, Duration.ZERO)).isEmpty();
        }

        // A day later the events are still there and readable again.
        clock.advance(Duration.ofHours(24));
        try (EventReader r = b.events().externalReader(ACME, "OrderPlaced", ReplayFrom.after(5))) {
            assertThat(ids(r.poll(10, Duration.ZERO))).containsExactly("o-5", "o-6", "o-7");
        }
        assertThat(a.tenants().usage(ACME).externalDeliveries()).isEqualTo(3);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void theWindowRollsByTheHourFreeingTheOldestHoursDeliveriesFirst(Db db) throws Exception {
        MutableClock clock = clock();
        Instant first = clock.instant().truncatedTo(ChronoUnit.HOURS);
        Millrace m = node(db, "a", clock);
        setUp(m, 5, 10);
        try (EventReader r = m.events().externalReader(ACME, "OrderPlaced", ReplayFrom.earliest())) {
            assertThat(r.poll(3, Duration.ZERO)).hasSize(3);
            clock.advance(Duration.ofHours(5));
            assertThat(r.poll(3, Duration.ZERO)).hasSize(2);
            assertThatThrownBy(() -> r.poll(3, Duration.ZERO)).isInstanceOfSatisfying(DeliveryLimitException.class,
                    e -> assertThat(e.resetsAt()).isEqualTo(first.plus(Duration.ofHours(24))));

            // The first hour's three leave the window; the later hour's two are still counted.
            clock.advance(Duration.ofHours(19));
            assertThat(m.tenants().usage(ACME).externalDeliveries()).isEqualTo(2);
            assertThat(r.poll(10, Duration.ZERO)).hasSize(3);
            assertThatThrownBy(() -> r.poll(3, Duration.ZERO)).isInstanceOfSatisfying(DeliveryLimitException.class,
                    e -> assertThat(e.resetsAt()).isEqualTo(first.plus(Duration.ofHours(29))));
            assertThat(r.position()).isEqualTo(8);
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void pruningKeepsTheCountsOfTheRollingDayAndDropsOlderOnes(Db db) throws Exception {
        MutableClock clock = clock();
        Millrace m = node(db, "a", clock);
        setUp(m, 5, 6);
        try (EventReader r = m.events().externalReader(ACME, "OrderPlaced", ReplayFrom.earliest())) {
            assertThat(r.poll(10, Duration.ZERO)).hasSize(5);
        }
        clock.advance(Duration.ofHours(3));
        PublishTest.pruneNow(m);
        assertThat(m.tenants().usage(ACME).externalDeliveries()).as("kept while in the window").isEqualTo(5);
        assertThatThrownBy(() -> m.events().externalReader(ACME, "OrderPlaced", ReplayFrom.after(5))
                .poll(10, Duration.ZERO)).isInstanceOf(DeliveryLimitException.class);

        clock.advance(Duration.ofHours(21));
        PublishTest.pruneNow(m);
        assertThat(m.tenants().usage(ACME).externalDeliveries()).isZero();
        try (EventReader r = m.events().externalReader(ACME, "OrderPlaced", ReplayFrom.after(5))) {
            assertThat(r.poll(10, Duration.ZERO)).hasSize(1);
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void handlersDoNotCountAndAnAllocationOfZeroRefusesEveryExternalRead(Db db) throws Exception {
        MutableClock clock = clock();
        Millrace m = node(db, "a", clock);
        setUp(m, 0, 0);
        m.events().subscribe(ACME, Subscription.of("quiet", "OrderPlaced", EventPolicyTest.Quiet.class));
        m.events().publish(ACME, EventPolicyTest.orders(0, 4));
        assertThat(m.events().deliverNow(ACME)).isEqualTo(1);
        assertThat(m.events().status(ACME, "quiet").get(0).checkpoint()).isEqualTo(4);
        assertThat(m.tenants().usage(ACME).externalDeliveries()).isZero();

        try (EventReader r = m.events().externalReader(ACME, "OrderPlaced", ReplayFrom.earliest())) {
            assertThatThrownBy(() -> r.poll(10, Duration.ZERO)).isInstanceOfSatisfying(DeliveryLimitException.class,
                    e -> {
                        assertThat(e.allocation()).isZero();
                        assertThat(e.resetsAt()).as("only an operator frees it").isNull();
                        assertThat(e.getMessage()).contains("an operator to raise it").doesNotContain("null");
                    });
        }
        m.events().putPolicy(ACME, EventPolicy.DEFAULTS.withExternalDeliveriesPer24h(10));
        try (EventReader r = m.events().externalReader(ACME, "OrderPlaced", ReplayFrom.earliest())) {
            assertThat(r.poll(10, Duration.ZERO)).hasSize(4);
        }
        // Back to 0 with deliveries counted: waiting for them to leave the window frees nothing.
        m.events().putPolicy(ACME, EventPolicy.DEFAULTS.withExternalDeliveriesPer24h(0));
        try (EventReader r = m.events().externalReader(ACME, "OrderPlaced", ReplayFrom.earliest())) {
            assertThatThrownBy(() -> r.poll(10, Duration.ZERO)).isInstanceOfSatisfying(DeliveryLimitException.class,
                    e -> assertThat(e.resetsAt()).isNull());
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void concurrentExternalReadersOnTwoNodesNeverGetMoreThanTheAllocation(Db db) throws Exception {
        MutableClock clock = clock();
        Millrace a = node(db, "a", clock);
        Millrace b = node(db, "b", clock);
        setUp(a, 100, 40);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> readers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Millrace node = i % 2 == 0 ? a : b;
                Callable<Integer> read = () -> {
                    int got = 0;
                    while (true) {
                        // Each reader reads the channel over and over, a few events per poll, until refused.
                        try (EventReader r = node.events().externalReader(ACME, "OrderPlaced", ReplayFrom.earliest())) {
                            List<EventRecord> events;
                            while (!(events = r.poll(3, Duration.ZERO)).isEmpty()) got += events.size();
                        } catch (DeliveryLimitException e) {
                            return got;
                        }
                    }
                };
                readers.add(pool.submit(read));
            }
            int total = 0;
            for (Future<Integer> f : readers) total += f.get();
            assertThat(total).as("events returned by all readers").isEqualTo(100);
            assertThat(a.tenants().usage(ACME).externalDeliveries()).isEqualTo(100);
        } finally {
            pool.shutdownNow();
        }
    }
}
