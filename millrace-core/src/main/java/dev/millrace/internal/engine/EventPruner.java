package dev.millrace.internal.engine;

import dev.millrace.internal.event.EventBus;
import dev.millrace.internal.store.LeaderLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/** Deletes events past their channel's retention (72 hours by default). Only the leader prunes in a pass. */
final class EventPruner extends LoopService {
    private static final Logger LOG = LoggerFactory.getLogger(EventPruner.class);

    private final EventBus bus;
    private final LeaderLock leader;
    private final Duration interval;

    EventPruner(EventBus bus, LeaderLock leader, Duration interval) {
        super("millrace-event-pruner");
        this.bus = bus;
        this.leader = leader;
        this.interval = interval;
    }

    @Override
    Duration tick() {
        runOnce();
        return interval;
    }

    /** One pass if this node is the leader; returns events deleted, or -1 when another node leads. */
    int runOnce() {
        Integer deleted = leader.ifLeader("event-pruner", bus::prune);
        if (deleted != null && deleted > 0) LOG.info("pruned {} events past their retention", deleted);
        return deleted == null ? -1 : deleted;
    }
}
