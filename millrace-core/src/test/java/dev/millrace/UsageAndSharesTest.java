package dev.millrace;

import dev.millrace.batch.TestBatches;
import dev.millrace.event.ChannelDefinition;
import dev.millrace.event.DeliveryContext;
import dev.millrace.event.EventHandler;
import dev.millrace.event.EventRecord;
import dev.millrace.event.FieldType;
import dev.millrace.event.Subscription;
import dev.millrace.fair.FairShare;
import dev.millrace.fair.FairUsage;
import dev.millrace.schedule.Schedulable;
import dev.millrace.schedule.ScheduleContext;
import dev.millrace.schedule.ScheduleId;
import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.time.ZoneId;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** A tenant's usage of its allowances, and a node's shares of worker time per tenant and type. */
class UsageAndSharesTest extends DatabaseTest {
    private static final TenantId ACME = TenantId.of("acme");
    private static final TenantId GLOBEX = TenantId.of("globex");

    /** Does nothing. */
    public static class Noop implements Queueable {
        @Override
        public void execute(QueueableContext context) {
        }
    }

    /** Keeps a worker busy for a known time, so worker time has a floor to check. */
    public static class Busy implements Queueable {
        int millis;

        Busy() {
        }

        Busy(int millis) {
            this.millis = millis;
        }

        @Override
        public void execute(QueueableContext context) throws Exception {
            Thread.sleep(millis);
        }
    }

    /** A schedule that does nothing. */
    public static class Tick implements Schedulable {
        @Override
        public void execute(ScheduleContext context) {
        }
    }

    /** A handler that drops what it gets. */
    public static class Drop implements EventHandler {
        @Override
        public void handle(List<EventRecord> events, DeliveryContext context) {
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void usageCountsWhatEachAllowanceLimitsAcrossNodes(Db db) {
        Millrace a = node(builder(db).nodeId("a").register(Noop.class).register(Tick.class)
                .register(TestBatches.Letters.class).registerHandler(Drop.class));
        Millrace b = node(builder(db).nodeId("b").register(Noop.class));
        tenants(a, ACME, GLOBEX);
        a.tenants().put(ACME, new TenantPolicy(0, 10, 0, 50, 1, 50, 5, 250_000, 1, 5, 100, 7, null, null, null));
        a.enqueueAll(ACME, Collections.nCopies(3, new Noop()), AsyncOptions.none());
        b.enqueue(ACME, new Noop());
        a.enqueue(GLOBEX, new Noop());
        a.schedule(ACME, "nightly", "0 0 2 * * ?", new Tick(), ZoneId.of("UTC"));
        ScheduleId paused = a.schedule(ACME, "weekly", "0 0 3 ? * MON", new Tick(), ZoneId.of("UTC"));
        a.schedules().pause(ACME, paused);
        a.executeBatch(ACME, new TestBatches.Letters("x", 3), 1);   // admitted: the one active slot
        a.executeBatch(ACME, new TestBatches.Letters("y", 3), 1);   // holding in the flex queue
        a.events().declare(ACME, ChannelDefinition.named("Orders").field("orderId", FieldType.ID, true));
        a.events().subscribe(ACME, Subscription.of("billing", "Orders", Drop.class));

        TenantUsage usage = a.tenants().usage(ACME);
        // 3 queueables and 2 batches on a, 1 queueable on b (read from the store: b wrote it within its second).
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(a.tenants().usage(ACME).asyncExecutions()).isEqualTo(6));
        assertThat(usage.schedules()).isEqualTo(2);
        assertThat(usage.activeBatches()).isEqualTo(1);
        assertThat(usage.flexQueue()).isEqualTo(1);
        assertThat(usage.channels()).isEqualTo(1);
        assertThat(usage.subscriptions()).isEqualTo(1);
        assertThat(a.tenants().usage(GLOBEX)).isEqualTo(new TenantUsage(GLOBEX, 1, 0, 0, 0, 0, 0, 0));
        assertThatThrownBy(() -> a.tenants().usage(TenantId.of("ghost")))
                .isInstanceOf(UnknownTenantException.class).hasMessageContaining("tenant 'ghost' does not exist");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void fairSharesCountStartedJobsAndWorkerTimePerTenantAndType(Db db) {
        Millrace m = started(builder(db).workers(2).register(Busy.class).register(Noop.class));
        tenants(m, ACME, GLOBEX);
        List<JobId> ids = m.enqueueAll(ACME, Collections.nCopies(3, new Busy(30)), AsyncOptions.none());
        JobId other = m.enqueue(GLOBEX, new Noop());
        await().atMost(Duration.ofSeconds(30)).until(() -> ids.stream().allMatch(id ->
                m.jobs().find(ACME, id).orElseThrow().status() == JobStatus.COMPLETED)
                && m.jobs().find(GLOBEX, other).orElseThrow().status() == JobStatus.COMPLETED);

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            List<FairShare> shares = m.fairShares();
            assertThat(shares).extracting(FairShare::tenant).containsExactly(ACME, GLOBEX);
            FairShare acme = shares.get(0);
            assertThat(acme.type()).isEqualTo(JobType.QUEUEABLE);
            assertThat(acme.started()).isEqualTo(3);
            assertThat(acme.running()).isZero();
            // Each job slept 30 ms on a worker: worker time cannot be less.
            assertThat(acme.workerTime()).isGreaterThanOrEqualTo(Duration.ofMillis(90));
            assertThat(acme.tier()).isZero();
            assertThat(acme.threadCap()).isEqualTo(2);
            assertThat(shares.get(1).started()).isEqualTo(1);
            assertThat(shares.get(1).workerTime()).isLessThan(acme.workerTime());
        });
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aLaneWaitingForItsRateLimitCountsDeferrals(Db db) {
        Millrace m = started(builder(db).workers(2).register(Noop.class));
        tenants(m, ACME);
        m.tenants().put(ACME, TenantPolicy.DEFAULTS.withFairUsage(
                FairUsage.DEFAULTS.withMaxStartsPerSecond(JobType.QUEUEABLE, 2)));
        List<JobId> ids = m.enqueueAll(ACME, Collections.nCopies(6, new Noop()), AsyncOptions.none());
        await().atMost(Duration.ofSeconds(30)).until(() -> ids.stream().allMatch(id ->
                m.jobs().find(ACME, id).orElseThrow().status() == JobStatus.COMPLETED));

        assertThat(m.fairShares()).singleElement().satisfies(s -> {
            assertThat(s.started()).isEqualTo(6);
            assertThat(s.deferrals()).isPositive();
        });
    }
}
