package dev.millrace.internal.fair;

import dev.millrace.TenantId;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The dispatcher's choice order, driven pass by pass without a database or threads. */
class FairPlannerTest {
    static final TenantId A = TenantId.of("a");
    static final TenantId B = TenantId.of("b");
    static final TenantId C = TenantId.of("c");

    /** Plays passes of {@code want} jobs with every tenant backlogged; returns the tenants in claim order. */
    static List<TenantId> play(FairPlanner planner, List<FairPlanner.Candidate> candidates, int want, int passes) {
        List<TenantId> order = new ArrayList<>();
        for (int p = 0; p < passes; p++) {
            List<FairPlanner.Share> shares = planner.plan(candidates, want);
            // What the claim does: every tenant's k-th job keyed start + k * step, the smallest keys first.
            record Key(TenantId tenant, double key, int ord) {
            }
            List<Key> keys = new ArrayList<>();
            for (int i = 0; i < shares.size(); i++) {
                FairPlanner.Share s = shares.get(i);
                for (int k = 1; k <= s.limit(); k++) keys.add(new Key(s.tenant(), s.start() + k * s.step(), i));
            }
            keys.sort(java.util.Comparator.comparingDouble(Key::key).thenComparingInt(Key::ord));
            Map<TenantId, Integer> counts = new HashMap<>();
            for (Key k : keys.subList(0, Math.min(want, keys.size()))) {
                order.add(k.tenant());
                counts.merge(k.tenant(), 1, Integer::sum);
            }
            planner.claimed(shares, counts);
        }
        return order;
    }

    static long count(List<TenantId> order, TenantId t) {
        return order.stream().filter(t::equals).count();
    }

    @Test
    void aTenantWithTwiceTheWeightGetsTwiceTheJobsEvenOneJobPerPass() {
        FairPlanner planner = new FairPlanner();
        var candidates = List.of(new FairPlanner.Candidate(A, 2, false, Integer.MAX_VALUE),
                new FairPlanner.Candidate(B, 1, false, Integer.MAX_VALUE));
        List<TenantId> order = play(planner, candidates, 1, 300);
        assertThat(count(order, A)).isEqualTo(200);
        assertThat(count(order, B)).isEqualTo(100);
        // Interleaved, never a long run of one tenant.
        assertThat(String.join("", order.stream().map(TenantId::value).toList())).doesNotContain("aaa").doesNotContain("bb");
    }

    @Test
    void sharesFollowWeightsWithManyTenantsAndLargePasses() {
        FairPlanner planner = new FairPlanner();
        var candidates = List.of(new FairPlanner.Candidate(A, 1, false, Integer.MAX_VALUE),
                new FairPlanner.Candidate(B, 2, false, Integer.MAX_VALUE),
                new FairPlanner.Candidate(C, 3, false, Integer.MAX_VALUE));
        List<TenantId> order = play(planner, candidates, 7, 60);
        assertThat(count(order, A)).isBetween(69L, 71L);
        assertThat(count(order, B)).isBetween(139L, 141L);
        assertThat(count(order, C)).isBetween(209L, 211L);
    }

    @Test
    void anIdleTenantBanksNoCreditAndLosesNoPlace() {
        FairPlanner planner = new FairPlanner();
        var onlyA = List.of(new FairPlanner.Candidate(A, 1, false, Integer.MAX_VALUE));
        play(planner, onlyA, 4, 100);   // A alone: 400 jobs; B idle the whole time
        var both = List.of(new FairPlanner.Candidate(A, 1, false, Integer.MAX_VALUE),
                new FairPlanner.Candidate(B, 1, false, Integer.MAX_VALUE));
        List<TenantId> order = play(planner, both, 4, 25);
        // B returns as an equal: half of the next 100 jobs, not all of them (no credit for its idle time).
        assertThat(count(order, B)).isBetween(49L, 51L);
        assertThat(order.subList(0, 4)).contains(B);
    }

    @Test
    void aFlowControlledTenantIsServedBehindTheOthersButNotStarved() {
        FairPlanner planner = new FairPlanner();
        var candidates = List.of(new FairPlanner.Candidate(A, 1, true, Integer.MAX_VALUE),
                new FairPlanner.Candidate(B, 1, false, Integer.MAX_VALUE));
        List<FairPlanner.Share> shares = planner.plan(candidates, 4);
        assertThat(shares.get(0).tenant()).as("served first").isEqualTo(B);
        // With B's work gone, A takes the whole pass.
        List<TenantId> order = play(planner, List.of(candidates.get(0)), 4, 1);
        assertThat(order).containsOnly(A).hasSize(4);
    }

    @Test
    void aTenantsMaximumBoundsItsLimitAndZeroLeavesItOut() {
        FairPlanner planner = new FairPlanner();
        var candidates = List.of(new FairPlanner.Candidate(A, 1, false, 2),
                new FairPlanner.Candidate(B, 1, false, 0),
                new FairPlanner.Candidate(C, 1, false, Integer.MAX_VALUE));
        List<FairPlanner.Share> shares = planner.plan(candidates, 10);
        assertThat(shares).extracting(FairPlanner.Share::tenant).containsExactlyInAnyOrder(A, C);
        assertThat(shares).filteredOn(s -> s.tenant().equals(A)).singleElement()
                .satisfies(s -> assertThat(s.limit()).isEqualTo(2));
    }
}
