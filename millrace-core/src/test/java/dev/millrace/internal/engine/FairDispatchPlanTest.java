package dev.millrace.internal.engine;

import dev.millrace.GovernorSettings;
import dev.millrace.JobType;
import dev.millrace.TenantId;
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
        for (int i = 0; i < 3; i++) {
            tiers.observe(Map.of(HEAVY, Map.of(JobType.QUEUEABLE, 2000), LIGHT, Map.of(JobType.QUEUEABLE, 5)),
                    Map.of(), t -> dev.millrace.FairUsage.DEFAULTS);
        }
        assertThat(tiers.standing(HEAVY, JobType.QUEUEABLE).tier()).isEqualTo(3);
    }

    private FairDispatch.Plan plan(TenantId... ready) {
        return fair.plan("n1", NOW, NOW.plusSeconds(60), List.of(ready), 16);
    }

    private static ClaimRequest.Lane laneOf(FairDispatch.Plan plan, TenantId tenant) {
        return plan.request().lanes().get(plan.request().tenants().indexOf(tenant));
    }

    private static ClaimedJob job(TenantId tenant, JobType type) {
        return new ClaimedJob(UUID.randomUUID(), tenant, type, "C", null, "{}", null, 0, null, 1, NOW, NOW, null, 0);
    }

    @Test
    void aLoweredTenantAloneIsNotCapped() {
        FairDispatch.Plan plan = plan(HEAVY);
        assertThat(laneOf(plan, HEAVY).excluded()).isEmpty();
        assertThat(laneOf(plan, HEAVY).limit()).isEqualTo(16);
        assertThat(plan.limited()).isEmpty();
    }

    @Test
    void aLoweredTenantIsCappedForItsTypeOnlyWhileAnotherTenantHasThatTypeReady() {
        FairDispatch.Plan plan = plan(HEAVY, LIGHT);
        // Its queueables are claimed on their own, up to the tier's cap (10 % of 8 workers, at least one) ...
        assertThat(laneOf(plan, HEAVY).excluded()).containsExactly(JobType.QUEUEABLE);
        assertThat(plan.limited()).containsExactly(Map.entry(new FairDispatch.Lane(HEAVY, JobType.QUEUEABLE), 1));
        // ... and its other types are not held to that cap.
        assertThat(laneOf(plan, HEAVY).limit()).isGreaterThan(1);
    }

    @Test
    void aLoweredLaneAtItsCapIsLeftOutWhileAnotherTenantsJobOfTheTypeWaitsOnThisNode() {
        FairDispatch.Plan first = plan(HEAVY, LIGHT);
        fair.claimed(first, List.of(job(HEAVY, JobType.QUEUEABLE), job(LIGHT, JobType.QUEUEABLE)));
        // Light's job is claimed, not started; light has nothing more ready: heavy is still held.
        FairDispatch.Plan plan = plan(HEAVY);
        assertThat(laneOf(plan, HEAVY).excluded()).containsExactly(JobType.QUEUEABLE);
        assertThat(plan.limited()).isEmpty();
        // Light's job starts: nobody waits behind heavy any more, it may use every idle worker.
        fair.dequeued(job(LIGHT, JobType.QUEUEABLE));
        assertThat(laneOf(plan(HEAVY), HEAVY).excluded()).isEmpty();
    }

    @Test
    void anotherTenantWithReadyWorkOfAnotherTypeOnlyDoesNotHoldALoweredLane() {
        tiers.observe(Map.of(HEAVY, Map.of(JobType.QUEUEABLE, 2000), LIGHT, Map.of(JobType.FUTURE, 5)), Map.of(),
                t -> dev.millrace.FairUsage.DEFAULTS);
        assertThat(tiers.standing(HEAVY, JobType.QUEUEABLE).tier()).as("no longer dominating: one tier up").isEqualTo(2);
        FairDispatch.Plan plan = plan(HEAVY, LIGHT);
        assertThat(laneOf(plan, HEAVY).excluded()).isEmpty();
        assertThat(plan.limited()).isEmpty();
    }

    @Test
    void aTenantNotSeenBySampleIsTakenToHaveWorkOfEveryType() {
        TenantId fresh = TenantId.of("fresh");
        FairDispatch.Plan plan = plan(HEAVY, fresh);
        assertThat(laneOf(plan, HEAVY).excluded()).containsExactly(JobType.QUEUEABLE);
    }
}
