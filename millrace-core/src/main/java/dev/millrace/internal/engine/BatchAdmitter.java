package dev.millrace.internal.engine;

import dev.millrace.TenantId;
import dev.millrace.internal.store.BatchStore;

import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.UUID;

/**
 * Moves the flex queues on: scheduled batches whose time came join their tenant's flex queue, and holding
 * batches take free slots in flex-queue order. A batch's end does this at once in its own transaction; this
 * loop catches what ends elsewhere (a batch rescued to FAILED, a queued batch aborted) and scheduled batches.
 * Any node may run it: the tenant's row lock makes the passes take turns. Every ten minutes it also deletes the
 * batch rows and errors of batches the pruner removed.
 */
final class BatchAdmitter extends LoopService {
    private final BatchStore store;
    private final TenantPolicies policies;
    private final InstantSource clock;
    private final Duration interval;
    private final Runnable wake;
    private final Runnable endOrphaned;

    /** {@code endOrphaned} ends what is left of batches ended outside their runner ({@link BatchStore#endOrphaned}). */
    BatchAdmitter(BatchStore store, TenantPolicies policies, InstantSource clock, Duration interval, Runnable wake,
                  Runnable endOrphaned) {
        super("millrace-batch-admitter");
        this.store = store;
        this.policies = policies;
        this.clock = clock;
        this.interval = interval;
        this.wake = wake;
        this.endOrphaned = endOrphaned;
    }

    /** How often batch rows and errors left by pruned jobs are deleted. */
    static final Duration ORPHAN_PRUNE_INTERVAL = Duration.ofMinutes(10);
    private java.time.Instant nextOrphanPrune = java.time.Instant.MIN;

    @Override
    Duration tick() {
        runOnce();
        java.time.Instant now = clock.instant();
        if (!now.isBefore(nextOrphanPrune)) {
            // The pruner deletes ended jobs; their batch rows and errors go with them here.
            endOrphaned.run();
            store.pruneOrphans();
            nextOrphanPrune = now.plus(ORPHAN_PRUNE_INTERVAL);
        }
        return interval;
    }

    /** One pass over every tenant with waiting batches; returns how many batches were admitted. */
    int runOnce() {
        int admitted = 0;
        for (TenantId tenant : store.waitingTenants()) admitted += admit(tenant);
        if (admitted > 0) wake.run();
        return admitted;
    }

    /** Admits what fits for one tenant now. */
    int admit(TenantId tenant) {
        List<UUID> ids = store.admit(tenant, policies.get(tenant).maxActiveBatches(), clock.instant());
        return ids.size();
    }
}
