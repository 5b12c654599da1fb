package dev.millrace.internal.engine;

import dev.millrace.internal.store.JobStore;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Set;
import java.util.UUID;

/** Renews the leases of the jobs this node holds, and passes on abort requests made on other nodes. */
final class Heartbeat extends LoopService {
    private final JobStore store;
    private final InstantSource clock;
    private final String nodeId;
    private final Duration lease;
    private final JobRunner runner;

    Heartbeat(JobStore store, InstantSource clock, String nodeId, Duration lease, JobRunner runner) {
        super("millrace-heartbeat");
        this.store = store;
        this.clock = clock;
        this.nodeId = nodeId;
        this.lease = lease;
        this.runner = runner;
    }

    @Override
    Duration tick() {
        runOnce();
        return lease.dividedBy(3);
    }

    /** Renews leases and forwards aborts; returns how many leases were renewed. */
    int runOnce() {
        int renewed = store.renewLeases(nodeId, clock.instant().plus(lease));
        runner.abortsRequested(renewed > 0 ? store.abortRequested(nodeId) : Set.of());
        return renewed;
    }
}
