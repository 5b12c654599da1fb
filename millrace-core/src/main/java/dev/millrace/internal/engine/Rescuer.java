package dev.millrace.internal.engine;

import dev.millrace.internal.store.JobStore;
import dev.millrace.internal.store.RescueResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.InstantSource;

/**
 * Re-queues jobs whose lease expired (their node died or stalled), failing those out of attempts. Every node
 * runs one; rows are claimed with SKIP LOCKED, so two rescuers never touch the same job.
 */
final class Rescuer extends LoopService {
    private static final Logger LOG = LoggerFactory.getLogger(Rescuer.class);

    private final JobStore store;
    private final InstantSource clock;
    private final int maxAttempts;
    private final Duration interval;
    private final Runnable onRequeued;
    private final Runnable onEnded;
    private final java.util.function.Consumer<RescueResult> onRescued;
    // Running totals for metrics; written by the rescuer's thread (or a test's runOnce), read by any.
    private final java.util.concurrent.atomic.AtomicLong requeued = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong failed = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong aborted = new java.util.concurrent.atomic.AtomicLong();

    /**
     * @param onRequeued called after a pass re-queued jobs
     * @param onEnded called after a pass ended jobs (failed or aborted): what they held beside their job row goes
     * @param onRescued called after a pass that touched jobs, with what it did (job status events)
     */
    Rescuer(JobStore store, InstantSource clock, int maxAttempts, Duration lease, Runnable onRequeued, Runnable onEnded,
            java.util.function.Consumer<RescueResult> onRescued) {
        super("millrace-rescuer");
        this.store = store;
        this.clock = clock;
        this.maxAttempts = maxAttempts;
        this.interval = lease.dividedBy(2);
        this.onRequeued = onRequeued;
        this.onEnded = onEnded;
        this.onRescued = onRescued;
    }

    @Override
    Duration tick() {
        RescueResult r = runOnce();
        return r.total() >= 500 ? Duration.ZERO : interval;
    }

    /** What this rescuer did since it was built. */
    dev.millrace.monitoring.LeaseRescues totals() {
        return new dev.millrace.monitoring.LeaseRescues(requeued.get(), failed.get(), aborted.get());
    }

    /** One pass over expired leases. */
    RescueResult runOnce() {
        RescueResult r = store.rescue(clock.instant(), maxAttempts);
        requeued.addAndGet(r.requeued());
        failed.addAndGet(r.failed());
        aborted.addAndGet(r.aborted());
        if (r.total() > 0) {
            LOG.info("rescued jobs with expired leases: {} re-queued, {} failed, {} aborted", r.requeued(), r.failed(),
                    r.aborted());
        }
        // The status events before the wake-up, and without reading the jobs again: a re-queued job's next run on
        // this node queues its own event, which should come after the rescue's. Only a poll of this node's
        // dispatcher landing between the rescue's commit and this call can still come first (a run on another
        // node is published by that node, in no order with this one's).
        if (r.total() > 0) onRescued.accept(r);
        if (r.requeued() > 0) onRequeued.run();
        if (r.failed() + r.aborted() > 0) onEnded.run();
        return r;
    }
}
