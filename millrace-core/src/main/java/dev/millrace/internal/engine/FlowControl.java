package dev.millrace.internal.engine;

import dev.millrace.JobType;
import dev.millrace.TenantId;
import dev.millrace.fair.FairUsage;
import dev.millrace.internal.fair.Tiers;
import dev.millrace.internal.store.FairStore;
import dev.millrace.internal.store.JobStore;

import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;

/**
 * Samples the ready queue once a period (each tenant's oldest ready jobs, bounded) and updates the tiers: who
 * dominates which job type, and which lanes are lowered (SPEC.md FAIR-2, FAIR-3).
 */
final class FlowControl extends LoopService {
    /** How often the queue is sampled; a dominating tenant steps down one tier per period. */
    static final Duration PERIOD = Duration.ofSeconds(1);
    /** Ready jobs counted per tenant at most: enough to see domination, bounded however deep a backlog. */
    static final int SAMPLE = 2_000;

    private final JobStore jobs;
    private final FairStore store;
    private final TenantPolicies policies;
    private final Tiers tiers;
    private final InstantSource clock;
    private final FairDispatch fair;

    FlowControl(JobStore jobs, FairStore store, TenantPolicies policies, Tiers tiers, InstantSource clock,
                FairDispatch fair) {
        super("millrace-flow-control");
        this.fair = fair;
        this.jobs = jobs;
        this.store = store;
        this.policies = policies;
        this.tiers = tiers;
        this.clock = clock;
    }

    @Override
    Duration tick() {
        runOnce();
        return PERIOD;
    }

    /** One sample; returns the ready counts it saw. */
    Map<TenantId, Map<JobType, Integer>> runOnce() {
        var now = clock.instant();
        List<TenantId> ready = jobs.readyTenants(now, Dispatcher.MAX_TENANTS_PER_PASS);
        Map<TenantId, Map<JobType, Integer>> counts = store.readyCounts(now, ready, SAMPLE);
        tiers.observe(counts, fair.takeStarted(), this::fairUsage);
        return counts;
    }

    private FairUsage fairUsage(TenantId tenant) {
        try {
            return policies.get(tenant).fairUsage();
        } catch (RuntimeException e) {
            return FairUsage.DEFAULTS;
        }
    }
}
