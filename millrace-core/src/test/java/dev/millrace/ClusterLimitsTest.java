package dev.millrace;

import dev.millrace.fair.FairUsage;
import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import dev.millrace.testing.TestDatabase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A tenant's rate limit and concurrency cap hold across two nodes sharing one database. */
class ClusterLimitsTest extends DatabaseTest {
    static final TenantId ACME = TenantId.of("acme");
    static final TenantId OTHER = TenantId.of("other");
    static final List<long[]> STARTS = Collections.synchronizedList(new ArrayList<>());
    static final AtomicInteger RUNNING = new AtomicInteger();
    static final AtomicInteger MOST_RUNNING = new AtomicInteger();

    /** Records when it started and how many ran at once, then works for {@code millis}. */
    static class Timed implements Queueable {
        int millis;
        boolean counted;

        Timed() {
        }

        Timed(int millis, boolean counted) {
            this.millis = millis;
            this.counted = counted;
        }

        @Override
        public void execute(QueueableContext context) throws InterruptedException {
            if (!counted) return;
            int now = RUNNING.incrementAndGet();
            MOST_RUNNING.accumulateAndGet(now, Math::max);
            STARTS.add(new long[] {System.nanoTime()});
            try {
                Thread.sleep(millis);
            } finally {
                RUNNING.decrementAndGet();
            }
        }
    }

    private static void reset() {
        STARTS.clear();
        RUNNING.set(0);
        MOST_RUNNING.set(0);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aRateLimitHoldsAcrossTwoNodes(Db db) {
        reset();
        TestDatabase d = database(db);
        Millrace a = started(d.builder().nodeId("a").register(Timed.class));
        Millrace b = started(d.builder().nodeId("b").register(Timed.class));
        a.tenants().put(ACME, TenantPolicy.DEFAULTS.withFairUsage(
                FairUsage.DEFAULTS.withMaxStartsPerSecond(JobType.QUEUEABLE, 5)));
        tenants(a, OTHER);
        List<JobId> limited = a.enqueueAll(ACME, Collections.nCopies(20, new Timed(0, true)), AsyncOptions.none());
        // Another tenant's jobs are not held back by acme's limit.
        List<JobId> other = a.enqueueAll(OTHER, Collections.nCopies(50, new Timed(0, false)), AsyncOptions.none());
        await().atMost(Duration.ofSeconds(10)).until(() ->
                other.stream().allMatch(id -> a.jobs().find(OTHER, id).orElseThrow().status() == JobStatus.COMPLETED));
        await().atMost(Duration.ofSeconds(30)).until(() -> STARTS.size() == 20);
        // When each job was claimed, as its node stamped it: the times the token bucket was charged.
        List<JobRecord> records = limited.stream().map(id -> a.jobs().find(ACME, id).orElseThrow()).toList();
        List<java.time.Instant> times = records.stream().map(JobRecord::startedAt).sorted().toList();
        // A bucket of 5 tokens refilled at 5 a second: 20 claims take at least (20 - 5) / 5 = 3 s, and no window of
        // one second holds more than the burst plus one second's refill.
        assertThat(Duration.between(times.get(0), times.get(19))).isGreaterThanOrEqualTo(Duration.ofMillis(2_999));
        for (int i = 0; i < times.size(); i++) {
            java.time.Instant from = times.get(i);
            long inWindow = times.stream().filter(t -> !t.isBefore(from) && t.isBefore(from.plusSeconds(1))).count();
            assertThat(inWindow).as("claims in the second from claim %d", i).isLessThanOrEqualTo(10);
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aConcurrencyCapHoldsAcrossTwoNodes(Db db) {
        reset();
        TestDatabase d = database(db);
        Millrace a = started(d.builder().nodeId("a").register(Timed.class));
        Millrace b = started(d.builder().nodeId("b").register(Timed.class));
        a.tenants().put(ACME, TenantPolicy.DEFAULTS.withFairUsage(FairUsage.DEFAULTS.withMaxRunning(JobType.QUEUEABLE, 2)));
        List<JobId> ids = b.enqueueAll(ACME, Collections.nCopies(16, new Timed(100, true)), AsyncOptions.none());
        await().atMost(Duration.ofSeconds(60)).until(() ->
                ids.stream().allMatch(id -> a.jobs().find(ACME, id).orElseThrow().status() == JobStatus.COMPLETED));
        assertThat(MOST_RUNNING.get()).as("most acme jobs running at once on both nodes").isEqualTo(2);
        assertThat(a.jobs().find(JobQuery.forTenant(ACME).build()).jobs()).extracting(JobRecord::node)
                .as("nodes that ran acme's jobs").isSubsetOf("a", "b");
    }
}
