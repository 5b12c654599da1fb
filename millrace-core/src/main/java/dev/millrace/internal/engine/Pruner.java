package dev.millrace.internal.engine;

import dev.millrace.TenantId;
import dev.millrace.TenantPolicy;
import dev.millrace.internal.store.JobStore;
import dev.millrace.internal.store.LeaderLock;
import dev.millrace.internal.store.TenantStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/**
 * Deletes terminal jobs (and their logs) once they are older than their tenant's retention. Only the node
 * holding the leader lock prunes in a pass.
 */
final class Pruner extends LoopService {
    private static final Logger LOG = LoggerFactory.getLogger(Pruner.class);
    static final int BATCH = 5000;

    private final JobStore jobs;
    private final TenantStore tenants;
    private final dev.millrace.internal.store.FairStore fair;
    private final LeaderLock leader;
    private final InstantSource clock;
    private final Duration interval;

    /** The daily allocation's hourly usage rows are kept a little longer than the rolling day they are summed over. */
    static final Duration USAGE_KEPT = Duration.ofHours(25);

    Pruner(JobStore jobs, TenantStore tenants, dev.millrace.internal.store.FairStore fair, LeaderLock leader,
           InstantSource clock, Duration interval) {
        super("millrace-pruner");
        this.jobs = jobs;
        this.tenants = tenants;
        this.fair = fair;
        this.leader = leader;
        this.clock = clock;
        this.interval = interval;
    }

    @Override
    Duration tick() {
        runOnce();
        return interval;
    }

    /** One pass if this node is the leader; returns jobs deleted, or -1 when another node leads. */
    int runOnce() {
        Integer deleted = leader.ifLeader("pruner", () -> {
            int total = 0;
            Instant now = clock.instant();
            for (TenantId tenant : tenants.list()) {
                TenantPolicy policy = tenants.policy(tenant).orElse(TenantPolicy.DEFAULTS);
                Instant cutoff = now.minus(Duration.ofDays(policy.jobRetentionDays()));
                int n;
                do {
                    n = jobs.prune(tenant, cutoff, BATCH);
                    total += n;
                } while (n == BATCH);
            }
            // mr_usage_hour gets a row per tenant, hour and node; without this it grows for ever.
            fair.pruneUsage(now.truncatedTo(java.time.temporal.ChronoUnit.HOURS).minus(USAGE_KEPT));
            return total;
        });
        if (deleted != null && deleted > 0) LOG.info("pruned {} jobs past their retention", deleted);
        return deleted == null ? -1 : deleted;
    }
}
