package dev.millrace.event;

import com.sun.net.httpserver.HttpServer;
import dev.millrace.Millrace;
import dev.millrace.TenantId;
import dev.millrace.UnknownTenantException;
import dev.millrace.limits.CalloutException;
import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import dev.millrace.testing.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A tenant's event policy: channel and partition limits, the hourly publishing allocation, retention, retries. */
class EventPolicyTest extends DatabaseTest {
    static final TenantId ACME = TenantId.of("acme");
    static final ChannelDefinition ORDERS = ChannelDefinition.named("OrderPlaced")
            .field("orderId", FieldType.ID, true)
            .field("customerId", FieldType.ID, true);

    static final List<Integer> ATTEMPTS = new CopyOnWriteArrayList<>();

    private Millrace node(Db db, MutableClock clock) {
        ATTEMPTS.clear();
        Millrace.Builder b = builder(db).registerHandler(Failing.class).registerHandler(Quiet.class)
                .registerHandler(CallingOut.class);
        if (clock != null) b.clock(clock);
        Millrace m = node(b);
        m.tenants().create(ACME);
        m.events().declare(ACME, ORDERS);
        return m;
    }

    static Event order(int i) {
        return Event.on("OrderPlaced").with("orderId", "o-" + i).with("customerId", "c" + i);
    }

    static List<Event> orders(int from, int count) {
        List<Event> out = new ArrayList<>();
        for (int i = from; i < from + count; i++) out.add(order(i));
        return out;
    }

    /** Fails with an ordinary exception, recording each attempt's retry count. */
    public static final class Failing implements EventHandler {
        @Override
        public void handle(List<EventRecord> events, DeliveryContext context) {
            ATTEMPTS.add(context.retries());
            throw new IllegalStateException("ledger closed");
        }
    }

    static final List<String> CALLOUTS = new CopyOnWriteArrayList<>();
    static volatile URI calloutTarget;

    /** Calls {@link #calloutTarget} once per batch through the delivery's HTTP client, recording the answer. */
    public static final class CallingOut implements EventHandler {
        @Override
        public void handle(List<EventRecord> events, DeliveryContext context) throws Exception {
            try {
                HttpResponse<String> r = context.httpClient().send(HttpRequest.newBuilder(calloutTarget).build(),
                        HttpResponse.BodyHandlers.ofString());
                CALLOUTS.add(r.body());
            } catch (CalloutException e) {
                CALLOUTS.add("refused: " + e.getMessage());
                throw e;
            }
        }
    }

    /** Does nothing. */
    public static final class Quiet implements EventHandler {
        @Override
        public void handle(List<EventRecord> events, DeliveryContext context) {
        }
    }

    @Test
    void defaultsAreSpecsNumbersAndOutOfRangeValuesAreRefusedNamingTheKey() {
        EventPolicy d = EventPolicy.DEFAULTS;
        assertThat(List.of(d.maxChannels(), d.maxPartitions(), d.maxPartitionedSubscriptions(), d.publishPerHour(),
                d.retentionHours(), d.maxRetries())).containsExactly(100, 10, 5, 100_000, 72, 9);
        assertThat(d.everyExceptionRetryable()).isFalse();
        assertThatThrownBy(() -> d.withPartitions(11, 5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("event policy maxPartitions = 11 is out of range: expected 1 to 10");
        assertThatThrownBy(() -> d.withRetentionHours(0)).hasMessageContaining("retentionHours = 0");
        assertThatThrownBy(() -> d.withPublishPerHour(-1)).hasMessageContaining("publishPerHour = -1");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aPolicyIsStoredPerTenantAndAnUnknownTenantIsAClearError(Db db) {
        Millrace m = node(db, null);
        assertThat(m.events().policy(ACME)).isEqualTo(EventPolicy.DEFAULTS);
        EventPolicy p = EventPolicy.DEFAULTS.withPublishPerHour(500).withRetries(3, true);
        m.events().putPolicy(ACME, p);
        assertThat(m.events().policy(ACME)).isEqualTo(p);
        Millrace other = node(builder(db).nodeId("other"));
        assertThat(other.events().policy(ACME)).as("read by another node").isEqualTo(p);
        assertThatThrownBy(() -> m.events().putPolicy(TenantId.of("nobody"), p))
                .isInstanceOf(UnknownTenantException.class).hasMessageContaining("nobody");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aTenantDeclaresAtMostOneHundredChannelsAndMayStillReplaceThem(Db db) {
        Millrace m = node(db, null);
        // The system channel a subscription declares does not count.
        m.events().subscribe(ACME, Subscription.of("jobs", Events.JOB_STATUS_CHANNEL, Quiet.class));
        for (int i = 1; i < 100; i++) m.events().declare(ACME, ChannelDefinition.named("C" + i));
        assertThatThrownBy(() -> m.events().declare(ACME, ChannelDefinition.named("C100")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("already has 100 channels")
                .hasMessageContaining("event policy maxChannels = 100");
        assertThat(m.events().channel(ACME, "C100")).isEmpty();
        m.events().declare(ACME, ORDERS.field("note", FieldType.STRING, false));
        assertThat(m.events().channel(ACME, "OrderPlaced").orElseThrow().fields()).hasSize(3);

        m.events().putPolicy(ACME, EventPolicy.DEFAULTS.withMaxChannels(101));
        m.events().declare(ACME, ChannelDefinition.named("C100"));
        assertThat(m.events().channel(ACME, "C100")).isPresent();
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aTenantHasAtMostFivePartitionedSubscriptionsOfAtMostItsPartitionLimit(Db db) {
        Millrace m = node(db, null);
        for (int i = 1; i <= 5; i++) {
            m.events().subscribe(ACME, Subscription.of("split" + i, "OrderPlaced", Quiet.class).withPartitions(2, null));
        }
        assertThatThrownBy(() -> m.events().subscribe(ACME,
                Subscription.of("split6", "OrderPlaced", Quiet.class).withPartitions(2, "customerId")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("already has 5 partitioned subscriptions")
                .hasMessageContaining("maxPartitionedSubscriptions = 5");
        assertThat(m.events().subscriptions(ACME)).extracting(SubscriptionStatus::subscription).doesNotContain("split6");
        // Unpartitioned subscriptions and repartitioning an existing one are not limited by the count.
        m.events().subscribe(ACME, Subscription.of("plain", "OrderPlaced", Quiet.class));
        m.events().subscribe(ACME, Subscription.of("split1", "OrderPlaced", Quiet.class).withPartitions(4, null));
        assertThat(m.events().status(ACME, "split1")).hasSize(4);

        m.events().putPolicy(ACME, EventPolicy.DEFAULTS.withPartitions(3, 10));
        assertThatThrownBy(() -> m.events().subscribe(ACME,
                Subscription.of("split6", "OrderPlaced", Quiet.class).withPartitions(4, null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("asks for 4 partitions: expected at most 3 (event policy maxPartitions");
        m.events().subscribe(ACME, Subscription.of("split6", "OrderPlaced", Quiet.class).withPartitions(3, null));
        assertThat(m.events().status(ACME, "split6")).hasSize(3);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void eventsPastTheHourlyAllocationAreRefusedWithLimitExceededCountedAcrossNodes(Db db) throws Exception {
        // A minute into an hour, so the test's publishes all fall in one clock hour.
        MutableClock clock = new MutableClock(java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.HOURS)
                .plusSeconds(60));
        Millrace a = node(db, clock);
        Millrace b = node(builder(db).nodeId("b").clock(clock));
        a.events().putPolicy(ACME, EventPolicy.DEFAULTS.withPublishPerHour(5));

        assertThat(a.events().publish(ACME, orders(0, 3))).allMatch(PublishResult::isSuccess);
        // An invalid event neither counts nor is refused for the limit; of the valid ones, the first two fit.
        List<Event> mixed = new ArrayList<>(orders(3, 2));
        mixed.add(1, Event.on("OrderPlaced").with("orderId", "no-customer"));
        mixed.add(order(5));
        List<PublishResult> results = b.events().publish(ACME, mixed);
        assertThat(results).extracting(PublishResult::errorCode)
                .containsExactly(null, "REQUIRED_FIELD_MISSING", null, PublishResult.LIMIT_EXCEEDED);
        assertThat(results.get(3).message()).contains("has published its 5 events of this hour")
                .contains("publishPerHour");
        assertThat(a.events().publish(ACME, List.of(order(6))).get(0).errorCode()).isEqualTo("LIMIT_EXCEEDED");
        try (EventReader r = a.events().reader(ACME, "OrderPlaced", ReplayFrom.earliest())) {
            assertThat(r.poll(100, Duration.ZERO)).extracting(e -> e.getString("orderId"))
                    .containsExactly("o-0", "o-1", "o-2", "o-3", "o-4");
        }

        clock.advance(Duration.ofHours(1));
        assertThat(b.events().publish(ACME, orders(7, 5))).allMatch(PublishResult::isSuccess);
        assertThat(b.events().publish(ACME, orders(12, 1)).get(0).errorCode()).isEqualTo("LIMIT_EXCEEDED");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void channelsWithoutTheirOwnRetentionKeepEventsAsLongAsTheTenantPolicySays(Db db) throws Exception {
        MutableClock clock = MutableClock.now();
        Millrace m = node(db, clock);
        m.events().declare(ACME, ChannelDefinition.named("Kept").field("orderId", FieldType.ID, true)
                .withRetention(Duration.ofHours(5)));
        assertThat(m.events().channel(ACME, "OrderPlaced").orElseThrow().retention()).isNull();
        m.events().putPolicy(ACME, EventPolicy.DEFAULTS.withRetentionHours(1));
        m.events().publish(ACME, List.of(order(1), Event.on("Kept").with("orderId", "k-1")));
        clock.advance(Duration.ofMinutes(59));
        assertThat(PublishTest.pruneNow(m)).isZero();
        clock.advance(Duration.ofMinutes(2));
        assertThat(PublishTest.pruneNow(m)).as("only the channel without its own retention").isEqualTo(1);
        assertThatThrownBy(() -> m.events().reader(ACME, "OrderPlaced", ReplayFrom.after(0)))
                .isInstanceOf(ReplayIdExpiredException.class);
        try (EventReader r = m.events().reader(ACME, "Kept", ReplayFrom.earliest())) {
            assertThat(r.poll(10, Duration.ZERO)).hasSize(1);
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void withEveryExceptionRetryableAnOrdinaryFailureIsRetriedUpToTheTenantsLimitThenSuspends(Db db) {
        Millrace m = node(db, null);
        m.events().putPolicy(ACME, EventPolicy.DEFAULTS.withRetries(2, true));
        m.events().subscribe(ACME, Subscription.of("ledger", "OrderPlaced", Failing.class));
        m.events().publish(ACME, orders(0, 3));
        m.events().deliverNow(ACME);
        assertThat(ATTEMPTS).containsExactly(0, 1, 2);
        SubscriptionStatus s = m.events().status(ACME, "ledger").get(0);
        assertThat(s.state()).isEqualTo(SubscriptionState.SUSPENDED);
        assertThat(s.checkpoint()).as("nothing skipped").isZero();
        assertThat(s.lastError()).isEqualTo("IllegalStateException: ledger closed");

        // Without the policy the same failure skips the batch (SPEC EVT-12).
        m.events().putPolicy(ACME, EventPolicy.DEFAULTS);
        ATTEMPTS.clear();
        m.events().resume(ACME, "ledger", ResumeFrom.CHECKPOINT);
        m.events().deliverNow(ACME);
        assertThat(ATTEMPTS).containsExactly(0);
        s = m.events().status(ACME, "ledger").get(0);
        assertThat(s.state()).isEqualTo(SubscriptionState.ACTIVE);
        assertThat(s.checkpoint()).isEqualTo(3);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void handlersMayCallOutOnlyWhenTheTenantsPolicyAllowsIt(Db db) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/rates", exchange -> {
            byte[] body = "1.17".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            calloutTarget = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/rates");
            CALLOUTS.clear();
            Millrace m = node(db, null);
            m.events().subscribe(ACME, Subscription.of("rates", "OrderPlaced", CallingOut.class));

            // Off by default, as in Salesforce: the call is not made, and the batch is skipped and recorded.
            m.events().publish(ACME, orders(0, 2));
            m.events().deliverNow(ACME);
            assertThat(CALLOUTS).singleElement().asString().startsWith("refused: callout to GET " + calloutTarget)
                    .contains("calloutsInHandlers");
            assertThat(m.events().status(ACME, "rates").get(0).lastError()).startsWith("CalloutException");

            m.events().putPolicy(ACME, EventPolicy.DEFAULTS.withCalloutsInHandlers(true));
            CALLOUTS.clear();
            m.events().publish(ACME, orders(2, 1));
            m.events().deliverNow(ACME);
            assertThat(CALLOUTS).containsExactly("1.17");
            assertThat(m.events().status(ACME, "rates").get(0).checkpoint()).isEqualTo(3);
        } finally {
            server.stop(0);
        }
    }
}
