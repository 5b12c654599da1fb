package dev.millrace.event;

import dev.millrace.Millrace;
import dev.millrace.TenantId;
import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A delivery keeps its subscription's lease while its handler runs longer than the lease. */
class DeliveryLeaseTest extends DatabaseTest {
    static final TenantId ACME = TenantId.of("acme");
    static final Duration LEASE = Duration.ofSeconds(1);

    static final List<String> DELIVERED = new CopyOnWriteArrayList<>();
    static final AtomicInteger IN_FLIGHT = new AtomicInteger();
    static final AtomicInteger MAX_IN_FLIGHT = new AtomicInteger();
    static volatile CountDownLatch firstStarted;

    /** Holds its first batch for three leases; records which node handled which events, and overlaps. */
    public static final class Lengthy implements EventHandler {
        @Override
        public void handle(List<EventRecord> events, DeliveryContext context) throws Exception {
            MAX_IN_FLIGHT.accumulateAndGet(IN_FLIGHT.incrementAndGet(), Math::max);
            try {
                boolean first = firstStarted.getCount() > 0;
                firstStarted.countDown();
                if (first) Thread.sleep(LEASE.multipliedBy(3).toMillis());
                for (EventRecord e : events) DELIVERED.add(e.getString("orderId"));
            } finally {
                IN_FLIGHT.decrementAndGet();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aHandlerOutlastingTheLeaseKeepsItAndNoOtherNodeDeliversTheBatchAgain(Db db) throws Exception {
        DELIVERED.clear();
        IN_FLIGHT.set(0);
        MAX_IN_FLIGHT.set(0);
        firstStarted = new CountDownLatch(1);
        Millrace a = started(builder(db).nodeId("a").lease(LEASE).registerHandler(Lengthy.class));
        a.tenants().create(ACME);
        a.events().declare(ACME, EventPolicyTest.ORDERS);
        a.events().subscribe(ACME, Subscription.of("slow", "OrderPlaced", Lengthy.class).withBatchSize(2));
        Millrace b = started(builder(db).nodeId("b").lease(LEASE).registerHandler(Lengthy.class));
        List<Event> events = new ArrayList<>();
        for (int i = 1; i <= 4; i++) events.add(EventPolicyTest.order(i));
        assertThat(a.events().publish(ACME, events)).allMatch(PublishResult::isSuccess);

        assertThat(firstStarted.await(30, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> a.events().status(ACME, "slow").get(0).checkpoint() == 4);
        assertThat(MAX_IN_FLIGHT.get()).as("deliveries at once").isEqualTo(1);
        assertThat(DELIVERED).as("each event once, in order").containsExactly("o-1", "o-2", "o-3", "o-4");
        assertThat(b.events().status(ACME, "slow").get(0).lastError()).isNull();
    }
}
