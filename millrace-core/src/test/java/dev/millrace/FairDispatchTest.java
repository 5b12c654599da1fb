package dev.millrace;

import dev.millrace.fair.FairUsage;
import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.millrace.testing.Jobs.awaitTerminal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Weighted fair sharing, starvation-freedom and flow control on a started node. */
class FairDispatchTest extends DatabaseTest {
    static final TenantId HEAVY = TenantId.of("heavy");
    static final TenantId LIGHT = TenantId.of("light");
    static final List<String> STARTS = Collections.synchronizedList(new ArrayList<>());

    /** Records its tenant when it starts, then works for a few milliseconds. */
    static class Work implements Queueable {
        String tenant;
        int millis;

        Work() {
        }

        Work(String tenant, int millis) {
            this.tenant = tenant;
            this.millis = millis;
        }

        @Override
        public void execute(QueueableContext context) throws InterruptedException {
            STARTS.add(tenant);
            if (millis > 0) Thread.sleep(millis);
        }
    }

    static final java.util.concurrent.atomic.AtomicInteger HEAVY_RUNNING = new java.util.concurrent.atomic.AtomicInteger();
    static final java.util.concurrent.atomic.AtomicInteger HEAVY_MOST = new java.util.concurrent.atomic.AtomicInteger();
    /** Heavy's running jobs each time one of light's tracked jobs started. */
    static final List<Integer> HEAVY_AT_LIGHT_START = Collections.synchronizedList(new ArrayList<>());

    /** Counts heavy's jobs running at once; light's record how many of heavy's run when they start. */
    static class Tracked implements Queueable {
        boolean heavy;
        int millis;

        Tracked() {
        }

        Tracked(boolean heavy, int millis) {
            this.heavy = heavy;
            this.millis = millis;
        }

        @Override
        public void execute(QueueableContext context) throws InterruptedException {
            if (!heavy) {
                HEAVY_AT_LIGHT_START.add(HEAVY_RUNNING.get());
                Thread.sleep(millis);
                return;
            }
            HEAVY_MOST.accumulateAndGet(HEAVY_RUNNING.incrementAndGet(), Math::max);
            try {
                Thread.sleep(millis);
            } finally {
                HEAVY_RUNNING.decrementAndGet();
            }
        }
    }

    @BeforeEach
    void clear() {
        STARTS.clear();
        HEAVY_RUNNING.set(0);
        HEAVY_MOST.set(0);
        HEAVY_AT_LIGHT_START.clear();
    }

    private static List<Work> jobs(TenantId tenant, int n, int millis) {
        List<Work> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(new Work(tenant.value(), millis));
        return out;
    }

    private static void weight(Millrace m, TenantId tenant, int weight) {
        m.tenants().put(tenant, TenantPolicy.DEFAULTS.withFairUsage(FairUsage.DEFAULTS.withWeight(weight)));
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aTenantWithTwiceTheWeightGetsTwiceTheStartsWhileBothHaveWork(Db db) {
        Millrace m = node(builder(db).workers(1).claimBatchSize(1).register(Work.class));
        weight(m, HEAVY, 2);
        weight(m, LIGHT, 1);
        m.enqueueAll(HEAVY, jobs(HEAVY, 150, 0), AsyncOptions.none());
        m.enqueueAll(LIGHT, jobs(LIGHT, 150, 0), AsyncOptions.none());
        m.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> STARTS.size() >= 180);
        List<String> first = List.copyOf(STARTS.subList(0, 180));
        long heavy = first.stream().filter("heavy"::equals).count();
        // Twice the share: 120 of 180 while both have work (a couple either way for the prefetch at the start).
        assertThat(heavy).as("heavy's starts among the first 180: %s", first).isBetween(116L, 124L);
        // Once heavy's work is gone its share goes to light: every job ends.
        await().atMost(Duration.ofSeconds(60)).until(() -> STARTS.size() == 300);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aLightTenantIsServedWithinItsShareHoweverLargeAHeavierTenantsBacklog(Db db) {
        Millrace m = node(builder(db).workers(2).claimBatchSize(2).register(Work.class));
        weight(m, HEAVY, 10);
        weight(m, LIGHT, 1);
        m.enqueueAll(HEAVY, jobs(HEAVY, 3000, 1), AsyncOptions.none());
        m.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> STARTS.size() >= 30);
        for (int round = 0; round < 3; round++) {
            // Ahead of it: what was claimed already (2 workers + 2 prefetched) and one weighted turn of heavy's (10):
            // tens, not the thousands of heavy's backlog.
            assertThat(heavyStartsBeforeLight(m)).as("heavy's starts ahead of light's job, round %d", round)
                    .isBetween(0, 40);
        }
        assertThat(STARTS.size()).as("heavy still has a backlog").isLessThan(2500);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aTenantWithNothingWaitingOnTheNodeStartsAheadOfAnotherTenantsPrefetchedClaim(Db db) {
        Millrace m = node(builder(db).workers(1).claimBatchSize(16).register(Work.class));
        weight(m, HEAVY, 1);
        weight(m, LIGHT, 1);
        m.enqueueAll(HEAVY, jobs(HEAVY, 600, 5), AsyncOptions.none());
        m.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> STARTS.size() >= 5);
        for (int round = 0; round < 3; round++) {
            // The one worker finishes the heavy job it runs, then takes light's: not the 16 of heavy's claimed and
            // waiting on the node, which a claim for light would have had to wait for.
            assertThat(heavyStartsBeforeLight(m)).as("heavy's starts ahead of light's job, round %d", round)
                    .isBetween(0, 1);
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aTenantsNewJobDoesNotGoAheadOfItsOwnQueuedJobs(Db db) {
        Millrace m = node(builder(db).workers(1).claimBatchSize(4).register(Work.class));
        weight(m, HEAVY, 10);
        weight(m, LIGHT, 1);
        m.enqueueAll(HEAVY, jobs(HEAVY, 400, 2), AsyncOptions.none());
        m.enqueueAll(LIGHT, jobs(LIGHT, 10, 2), AsyncOptions.none());
        m.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> STARTS.size() >= 3);
        // Light has ready work, so its lane is mostly empty on the node (one in eleven of the claims): its new job
        // must still wait for its claims, behind light's older jobs.
        JobId late = m.enqueue(LIGHT, new Work("late", 0));
        assertThat(awaitTerminal(m, LIGHT, late).status()).isEqualTo(JobStatus.COMPLETED);
        List<String> starts;
        synchronized (STARTS) {
            starts = List.copyOf(STARTS);
        }
        assertThat(starts.subList(0, starts.indexOf("late"))).as("starts before light's new job")
                .filteredOn("light"::equals).hasSize(10);
    }

    /** Enqueues one job of light's and waits for it to end; returns how many of heavy's started first. */
    private static int heavyStartsBeforeLight(Millrace m) {
        JobId light = m.enqueue(LIGHT, new Work(LIGHT.value(), 0));
        // Counted from the enqueue's return: what starts while its commit waits for the disk depends on the machine's
        // load, not on the dispatcher.
        int committed = STARTS.size();
        assertThat(awaitTerminal(m, LIGHT, light).status()).isEqualTo(JobStatus.COMPLETED);
        synchronized (STARTS) {
            return Math.max(0, STARTS.lastIndexOf("light") - committed);
        }
    }

    @Test
    void aLightTenantIsServedWithinItsShareWhileAnotherNodeFloodsThisOneWithNotificationsForAHeavyTenant()
            throws Exception {
        // Every enqueue on the client is a notification naming heavy (one each, or folded together while they
        // overlap); the runner claims for the tenants named, and must still serve light, whose job waits for no poll.
        Millrace runner = started(builder(Db.POSTGRES).workers(2).claimBatchSize(2).pollInterval(Duration.ofSeconds(60))
                .register(Work.class));
        Millrace client = node(builder(Db.POSTGRES).register(Work.class));
        tenants(client, HEAVY, LIGHT);
        AtomicBoolean flooding = new AtomicBoolean(true);
        List<Thread> producers = new ArrayList<>();
        for (int p = 0; p < 3; p++) {
            producers.add(Thread.ofPlatform().start(() -> {
                while (flooding.get()) client.enqueue(HEAVY, new Work(HEAVY.value(), 10));
            }));
        }
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> STARTS.size() >= 50);
            for (int round = 0; round < 3; round++) {
                int before = STARTS.size();
                JobId light = client.enqueue(LIGHT, new Work(LIGHT.value(), 0));
                assertThat(awaitTerminal(runner, LIGHT, light).status()).isEqualTo(JobStatus.COMPLETED);
                int position;
                synchronized (STARTS) {
                    position = STARTS.subList(before, STARTS.size()).indexOf("light");
                }
                // Ahead of it: what the runner had claimed (2 workers + 2 prefetched), heavy's turn, and what started
                // while light's enqueue committed and its notification travelled: tens at most, not the backlog.
                assertThat(position).as("heavy's starts ahead of light's job, round %d", round).isBetween(0, 40);
            }
        } finally {
            flooding.set(false);
            for (Thread t : producers) t.join();
        }
        assertThat(runner.jobs().find(JobQuery.forTenant(HEAVY).status(JobStatus.QUEUED).build()).jobs())
                .as("heavy still had a backlog").isNotEmpty();
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aTenantDominatingAQueueWhileAnotherHasWorkIsLoweredATierAndClimbsBackAfter(Db db) throws Exception {
        Millrace m = node(builder(db).workers(4).register(Work.class));
        tenants(m, HEAVY, LIGHT);
        // 10 ms each: alone, heavy uses all 4 workers, and its backlog must outlast the samples that lower it.
        m.enqueueAll(HEAVY, jobs(HEAVY, 5000, 10), AsyncOptions.none());
        m.start();
        AtomicBoolean trickle = new AtomicBoolean(true);
        Thread light = Thread.ofPlatform().start(() -> {
            while (trickle.get()) {
                m.enqueue(LIGHT, new Work(LIGHT.value(), 0));
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        try {
            await("heavy lowered to the lowest tier").atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(m.status().fairUsage()).anySatisfy(s -> {
                        assertThat(s.tenant()).isEqualTo(HEAVY);
                        assertThat(s.type()).isEqualTo(JobType.QUEUEABLE);
                        assertThat(s.dominating()).isTrue();
                        assertThat(s.tier()).isEqualTo(3);
                        assertThat(s.threadCap()).as("10 % of 4 workers, at least one").isEqualTo(1);
                    }));
            assertThat(m.status().fairUsage()).noneMatch(s -> s.tenant().equals(LIGHT));
        } finally {
            trickle.set(false);
            light.join();
        }
        // Alone again, nobody waits behind it: it climbs back one tier per sample.
        await("heavy back at the top tier").atMost(Duration.ofSeconds(30))
                .until(() -> m.status().fairUsage().stream().noneMatch(s -> s.tenant().equals(HEAVY)));
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aLoweredTenantAloneUsesEveryWorkerAndIsHeldToItsTierWhileAnotherTenantsJobsWait(Db db) throws Exception {
        Millrace m = node(builder(db).workers(4).claimBatchSize(2).register(Work.class).register(Tracked.class));
        // Many low tiers of 25 % (one of 4 workers): heavy stays lowered for seconds after it stops dominating.
        FairUsage fu = FairUsage.DEFAULTS.withDomination(50, 100).withTierPercents(List.of(100, 25, 25, 25, 25, 25, 25, 25));
        m.tenants().put(HEAVY, TenantPolicy.DEFAULTS.withFairUsage(fu));
        m.tenants().put(LIGHT, TenantPolicy.DEFAULTS.withFairUsage(fu));
        List<Tracked> backlog = new ArrayList<>();
        for (int i = 0; i < 4000; i++) backlog.add(new Tracked(true, 20));
        m.enqueueAll(HEAVY, backlog, AsyncOptions.none());
        m.start();
        AtomicBoolean trickle = new AtomicBoolean(true);
        Thread light = Thread.ofPlatform().start(() -> {
            while (trickle.get()) {
                m.enqueue(LIGHT, new Work(LIGHT.value(), 0));
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        try {
            await("heavy lowered five tiers").atMost(Duration.ofSeconds(30)).until(() -> m.status().fairUsage().stream()
                    .anyMatch(s -> s.tenant().equals(HEAVY) && s.tier() >= 5));
        } finally {
            trickle.set(false);
            light.join();
        }
        // Light's backlog waits: heavy is held to its tier's one worker (once the jobs it had claimed are done).
        List<Tracked> lights = new ArrayList<>();
        for (int i = 0; i < 60; i++) lights.add(new Tracked(false, 30));
        m.enqueueAll(LIGHT, lights, AsyncOptions.none());
        await("light's backlog done").atMost(Duration.ofSeconds(30)).until(() -> HEAVY_AT_LIGHT_START.size() == 60);
        List<Integer> whileWaiting = List.copyOf(HEAVY_AT_LIGHT_START.subList(15, 56));
        assertThat(whileWaiting).as("heavy's running jobs as light's started: %s", HEAVY_AT_LIGHT_START)
                .allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(1));
        // Alone, still lowered, heavy uses every idle worker.
        HEAVY_MOST.set(0);
        await("heavy on every worker").atMost(Duration.ofSeconds(3)).until(() -> HEAVY_MOST.get() == 4);
        assertThat(m.status().fairUsage()).as("heavy still lowered").anySatisfy(s -> {
            assertThat(s.tenant()).isEqualTo(HEAVY);
            assertThat(s.tier()).isGreaterThanOrEqualTo(1);
            assertThat(s.threadCap()).isEqualTo(1);
        });
    }
}
