package dev.millrace.internal.engine;

import dev.millrace.fair.GovernorState;
import dev.millrace.fair.ResourceSampler;
import dev.millrace.internal.fair.Governor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/** Samples the node's heap and CPU and feeds the governor; wakes the dispatcher when it may run more. */
final class GovernorService extends LoopService {
    private static final Logger LOG = LoggerFactory.getLogger(GovernorService.class);

    private final ResourceSampler sampler;
    private final Governor governor;
    private final Duration interval;
    private final Runnable onRelease;
    private final Runnable onLower;
    private static final Duration GC_EVERY = Duration.ofSeconds(2);
    private long lastGcNanos = System.nanoTime() - GC_EVERY.toNanos() - 1;

    GovernorService(ResourceSampler sampler, Governor governor, Duration interval, Runnable onRelease,
                    Runnable onLower) {
        super("millrace-governor");
        this.onLower = onLower;
        this.sampler = sampler;
        this.governor = governor;
        this.interval = interval;
        this.onRelease = onRelease;
    }

    @Override
    Duration tick() {
        runOnce();
        return interval;
    }

    /** One sample; returns the governor's new snapshot. */
    Governor.Snapshot runOnce() {
        Governor.Snapshot was = governor.snapshot();
        Governor.Snapshot now = governor.observe(sampler.sample(), System.nanoTime());
        if (now.state() != was.state()) {
            if (now.state() == GovernorState.NORMAL) LOG.info("resource governor: normal again");
            else LOG.warn("resource governor: {} ({}), {} executions at once", now.state(), now.reason(), now.allowed());
        }
        if (now.allowed() > was.allowed()) onRelease.run();
        // Lowered: what was claimed but not started goes back to the queue, so only what is allowed starts.
        if (now.allowed() < was.allowed()) onLower.run();
        if (now.state() == GovernorState.SUSPENDED && System.nanoTime() - lastGcNanos > GC_EVERY.toNanos()) {
            // A suspended node starts nothing, so it may allocate too little to trigger a collection, and the heap
            // reading would stay at its garbage-inflated value forever: collect, so the next sample sees live data.
            lastGcNanos = System.nanoTime();
            System.gc();
        }
        return now;
    }
}
