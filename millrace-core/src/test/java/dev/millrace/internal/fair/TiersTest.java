package dev.millrace.internal.fair;

import dev.millrace.JobType;
import dev.millrace.TenantId;
import dev.millrace.fair.FairUsage;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Flow control and fair-usage tiers from samples of the ready queue. */
class TiersTest {
    static final TenantId FLOOD = TenantId.of("flood");
    static final TenantId SMALL = TenantId.of("small");

    @Test
    void aDominatingTenantStepsDownATierPerSampleAndClimbsBackWhenItStops() {
        Tiers tiers = new Tiers();
        Map<TenantId, Map<JobType, Integer>> flood = Map.of(FLOOD, Map.of(JobType.QUEUEABLE, 2000),
                SMALL, Map.of(JobType.QUEUEABLE, 3));
        for (int expected = 1; expected <= 3; expected++) {
            tiers.observe(flood, t -> FairUsage.DEFAULTS);
            assertThat(tiers.standing(FLOOD, JobType.QUEUEABLE)).isEqualTo(new Tiers.Standing(expected, true));
        }
        tiers.observe(flood, t -> FairUsage.DEFAULTS);
        assertThat(tiers.standing(FLOOD, JobType.QUEUEABLE).tier()).as("the lowest tier").isEqualTo(3);
        assertThat(tiers.dominating(FLOOD)).isTrue();
        assertThat(tiers.dominating(SMALL)).isFalse();
        assertThat(tiers.standing(FLOOD, JobType.FUTURE)).as("other types unaffected").isEqualTo(new Tiers.Standing(0, false));
        // 8 workers: tiers 100/50/25/10 % give 8, 4, 2, and at least 1.
        assertThat(List.of(0, 1, 2, 3).stream().map(t -> Tiers.threadCap(FairUsage.DEFAULTS, t, 8)).toList())
                .containsExactly(8, 4, 2, 1);

        Map<TenantId, Map<JobType, Integer>> even = Map.of(FLOOD, Map.of(JobType.QUEUEABLE, 500),
                SMALL, Map.of(JobType.QUEUEABLE, 500));
        tiers.observe(even, t -> FairUsage.DEFAULTS);
        assertThat(tiers.standing(FLOOD, JobType.QUEUEABLE)).isEqualTo(new Tiers.Standing(2, false));
        tiers.observe(even, t -> FairUsage.DEFAULTS);
        tiers.observe(Map.of(), t -> FairUsage.DEFAULTS);
        tiers.observe(Map.of(), t -> FairUsage.DEFAULTS);
        assertThat(tiers.standing(FLOOD, JobType.QUEUEABLE)).isEqualTo(new Tiers.Standing(0, false));
        assertThat(tiers.tenants()).isEmpty();
    }

    @Test
    void aTenantWithFewReadyJobsNeverDominatesWhateverItsShare() {
        Tiers tiers = new Tiers();
        tiers.observe(Map.of(SMALL, Map.of(JobType.FUTURE, 100)), t -> FairUsage.DEFAULTS);
        assertThat(tiers.dominating(SMALL)).as("100 is not more than the minimum of 100").isFalse();
    }

    @Test
    void fairUsagePolicyRejectsBadValuesNamingThem() {
        assertThatThrownBy(() -> FairUsage.DEFAULTS.withWeight(0))
                .hasMessage("fair usage weight = 0 is out of range: expected 1 to 100");
        assertThatThrownBy(() -> FairUsage.DEFAULTS.withTierPercents(List.of(100, 60, 70)))
                .hasMessage("fair usage tierPercents [100, 60, 70] is invalid at position 2 (70): expected 1 to 60,"
                        + " each tier at most the one above");
        assertThatThrownBy(() -> FairUsage.DEFAULTS.withMaxRunning(JobType.QUEUEABLE, 0))
                .hasMessage("fair usage maxRunning of QUEUEABLE = 0 is out of range: expected 1 to 100000 (leave the"
                        + " type out for no limit)");
    }
}
