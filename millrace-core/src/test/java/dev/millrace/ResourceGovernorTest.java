package dev.millrace;

import dev.millrace.fair.GovernorSettings;
import dev.millrace.fair.GovernorState;
import dev.millrace.fair.ResourceSample;
import dev.millrace.monitoring.NodeStatus;
import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A node's resource governor, driven by an injected sampler: throttles, suspends, and restores. */
class ResourceGovernorTest extends DatabaseTest {
    static final TenantId ACME = TenantId.of("acme");
    static final TenantId BIG = TenantId.of("big");
    static final AtomicInteger RUNNING = new AtomicInteger();
    static final AtomicInteger MOST_RUNNING = new AtomicInteger();
    static final AtomicInteger STARTED = new AtomicInteger();

    /** Counts how many run at once, working for 20 ms. */
    static class Busy implements Queueable {
        @Override
        public void execute(QueueableContext context) throws InterruptedException {
            STARTED.incrementAndGet();
            MOST_RUNNING.accumulateAndGet(RUNNING.incrementAndGet(), Math::max);
            try {
                Thread.sleep(20);
            } finally {
                RUNNING.decrementAndGet();
            }
        }
    }

    @BeforeEach
    void reset() {
        RUNNING.set(0);
        MOST_RUNNING.set(0);
        STARTED.set(0);
    }

    static final GovernorSettings FAST = new GovernorSettings(85, 90, 95, 70, Duration.ZERO, Duration.ofMillis(20));

    @ParameterizedTest
    @EnumSource(Db.class)
    void highHeapThrottlesTheNodeAHardThresholdSuspendsItAndItRestoresOnceBelow(Db db) {
        AtomicReference<ResourceSample> load = new AtomicReference<>(new ResourceSample(40, 10));
        Millrace m = started(builder(db).workers(4).governor(FAST).resourceSampler(load::get).register(Busy.class));
        tenants(m, ACME);
        assertThat(m.status().governor()).isEqualTo(GovernorState.NORMAL);
        assertThat(m.status().allowedExecutions()).isEqualTo(4);

        load.set(new ResourceSample(90, 10));
        await().atMost(Duration.ofSeconds(5)).until(() -> m.status().allowedExecutions() == 1);
        NodeStatus throttled = m.status();
        assertThat(throttled.governor()).isEqualTo(GovernorState.THROTTLED);
        assertThat(throttled.governorReason()).isEqualTo("heap 90.0 % above 85.0 %");
        assertThat(throttled.lastSample()).isEqualTo(new ResourceSample(90, 10));
        List<JobId> ids = m.enqueueAll(ACME, Collections.nCopies(30, new Busy()), AsyncOptions.none());
        await().atMost(Duration.ofSeconds(30)).until(() -> STARTED.get() >= 10);
        assertThat(MOST_RUNNING.get()).as("jobs at once while throttled to one").isEqualTo(1);

        load.set(new ResourceSample(97, 10));
        await().atMost(Duration.ofSeconds(5)).until(() -> m.status().governor() == GovernorState.SUSPENDED);
        assertThat(m.status().governorReason()).isEqualTo("heap 97.0 % above 95.0 %");
        int startedWhenSuspended = STARTED.get();
        // Claimed before the suspension may still start (at most what one throttled claim holds); then nothing.
        await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> true);
        assertThat(STARTED.get() - startedWhenSuspended).as("starts while suspended").isLessThanOrEqualTo(1);
        assertThat(STARTED.get()).isLessThan(30);

        load.set(new ResourceSample(50, 10));
        await().atMost(Duration.ofSeconds(5)).until(() -> m.status().governor() == GovernorState.NORMAL);
        assertThat(m.status().allowedExecutions()).isEqualTo(4);
        assertThat(m.status().governorReason()).isEmpty();
        await().atMost(Duration.ofSeconds(30)).until(() ->
                ids.stream().allMatch(id -> m.jobs().find(ACME, id).orElseThrow().status() == JobStatus.COMPLETED));
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void whileThrottledTheTenantRunningTheMostIsHeldFirst(Db db) {
        AtomicReference<ResourceSample> load = new AtomicReference<>(new ResourceSample(40, 10));
        Millrace m = started(builder(db).workers(4).governor(FAST).resourceSampler(load::get).register(Busy.class)
                .register(TestJobs.Record.class));
        tenants(m, ACME, BIG);
        load.set(new ResourceSample(90, 10));
        // 4 → 2 at the first high sample.
        await().atMost(Duration.ofSeconds(5)).until(() -> m.status().allowedExecutions() <= 2);
        m.enqueueAll(BIG, Collections.nCopies(200, new Busy()), AsyncOptions.none());
        await().atMost(Duration.ofSeconds(30)).until(() -> STARTED.get() >= 5);
        // BIG holds what is allowed; ACME's one job still gets its even share.
        JobId small = m.enqueue(ACME, new TestJobs.Record("small"));
        assertThat(dev.millrace.testing.Jobs.awaitTerminal(m, ACME, small).status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(STARTED.get()).as("big's backlog is still there").isLessThan(200);
    }
}
