package dev.millrace.internal.engine;

import dev.millrace.JobType;
import dev.millrace.TenantId;
import dev.millrace.fair.FairUsage;
import dev.millrace.fair.GovernorSettings;
import dev.millrace.internal.fair.Governor;
import dev.millrace.internal.fair.Tiers;
import dev.millrace.internal.store.ClaimRequest;
import dev.millrace.internal.store.ClaimedJob;
import dev.millrace.internal.store.TenantStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** What a pass asks of a lowered lane (SPEC.md FAIR-3): work-conserving, and for its own job type only. */
class FairDispatchPlanTest {
    static final TenantId HEAVY = TenantId.of("heavy");
    static final TenantId LIGHT = TenantId.of("light");
    static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    static final int WORKERS = 8;

    Tiers tiers;
    FairDispatch fair;

    @BeforeEach
    void lowerHeavy() {
        // Every tenant on the default policy (no policy stored: the defaults apply).
        TenantStore none = (TenantStore) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[]{TenantStore.class}, (p, m, a) -> m.getName().equals("policy") ? Optional.empty() : null);
        tiers = new Tiers();
        fair = new FairDispatch(new TenantPolicies(none, InstantSource.fixed(NOW)), null, tiers,
                new Governor(GovernorSettings.DEFAULTS, WORKERS), WORKERS, InstantSource.fixed(NOW));
        // Three samples of heavy dominating the queueables while light has some: heavy at the lowest tier (10 %).
        // Heavy has a few futures too, which it does not dominate.
        for (int i = 0; i < 3; i++) {
            tiers.observe(Map.of(HEAVY, Map.of(JobType.QUEUEABLE, 2000, JobType.FUTURE, 5),
                    LIGHT, Map.of(JobType.QUEUEABLE, 5)), Map.of(), t -> FairUsage.DEFAULTS);
        }
        assertThat(tiers.standing(HEAVY, JobType.QUEUEABLE).tier()).isEqualTo(3);
        assertThat(tiers.standing(HEAVY, JobType.FUTURE).tier()).isZero();
    }

    private FairDispatch.Plan plan(TenantId... ready) {
        return fair.plan("n1", NOW, NOW.plusSeconds(60), List.of(ready), 16);
    }

    private static ClaimRequest.Lane laneOf(FairDispatch.Plan plan, TenantId tenant) {
        return plan.request().lanes().get(plan.request().tenants().indexOf(tenant));
    }

    private static ClaimedJob job(TenantId tenant, JobType type) {
        return new ClaimedJob(UUID.randomUUID(), tenant, type, "C", null, "{}", null, 0, null, 1, NOW, NOW, null, 0, NOW);
    }

    private static Map<FairDispatch.Lane, Integer> heavyQueueables(int n) {
        return Map.of(new FairDispatch.Lane(HEAVY, JobType.QUEUEABLE), n);
    }

    @Test
    void aLoweredTenantAloneMayUseEveryWorkerButPrefetchesNone() {
        FairDispatch.Plan plan = plan(HEAVY);
        // Its queueables are claimed on their own lane, up to the node's 8 workers (not the tier's one) ...
        assertThat(plan.limited()).isEqualTo(heavyQueueables(8));
        assertThat(laneOf(plan, HEAVY).excluded()).containsExactly(JobType.QUEUEABLE);
        // ... and its futures in the fair claim, as many as the pass takes.
        assertThat(laneOf(plan, HEAVY).limit()).isEqualTo(16);
    }

    @Test
    void aLoweredTenantIsHeldToItsTierForThatTypeOnlyWhileAnotherTenantHasThatTypeReady() {
        FairDispatch.Plan plan = plan(HEAVY, LIGHT);
        // 10 % of 8 workers, at least one ...
        assertThat(plan.limited()).isEqualTo(heavyQueueables(1));
        assertThat(laneOf(plan, HEAVY).excluded()).containsExactly(JobType.QUEUEABLE);
        // ... and its futures are not held to that cap.
        assertThat(laneOf(plan, HEAVY).limit()).isGreaterThan(1);
        assertThat(laneOf(plan, LIGHT).excluded()).isEmpty();
    }

    @Test
    void aLoweredLaneAtItsCapIsLeftOutWhileAnotherTenantsJobOfTheTypeWaitsOnThisNode() {
        FairDispatch.Plan first = plan(HEAVY, LIGHT);
        ClaimedJob lights = job(LIGHT, JobType.QUEUEABLE);
        fair.claimed(first, List.of(job(HEAVY, JobType.QUEUEABLE), lights));
        // Light's job is claimed, not started, and light has nothing more ready: heavy is held at its one worker.
        assertThat(plan(HEAVY).limited()).isEmpty();
        // Light's job starts: nobody waits behind heavy any more; it may use the 7 other workers.
        fair.dequeued(lights);
        assertThat(plan(HEAVY).limited()).isEqualTo(heavyQueueables(7));
    }

    @Test
    void anotherTenantWithReadyWorkOfAnotherTypeOnlyDoesNotHoldALoweredLane() {
        tiers.observe(Map.of(HEAVY, Map.of(JobType.QUEUEABLE, 2000), LIGHT, Map.of(JobType.FUTURE, 5)), Map.of(),
                t -> FairUsage.DEFAULTS);
        assertThat(tiers.standing(HEAVY, JobType.QUEUEABLE).tier()).as("no longer dominating: one tier up").isEqualTo(2);
        FairDispatch.Plan plan = plan(HEAVY, LIGHT);
        assertThat(plan.limited()).isEqualTo(heavyQueueables(8));
        // Heavy showed only queueables in that sample: no fair claim for it, which would find nothing.
        assertThat(plan.request().tenants()).containsExactly(LIGHT);
    }

    @Test
    void aTenantNotSeenBySampleIsTakenToHaveWorkOfEveryType() {
        assertThat(plan(HEAVY, TenantId.of("fresh")).limited()).isEqualTo(heavyQueueables(1));
    }
}
