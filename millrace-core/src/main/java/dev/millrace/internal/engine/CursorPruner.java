package dev.millrace.internal.engine;

import dev.millrace.internal.store.CursorStore;
import dev.millrace.internal.store.LeaderLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/**
 * Deletes cursors past their expiry, with their pages, and cursor usage older than a day. Only the node holding
 * the leader lock prunes in a pass. Expiry is enforced at read time, so pruning only reclaims space.
 */
final class CursorPruner extends LoopService {
    private static final Logger LOG = LoggerFactory.getLogger(CursorPruner.class);
    /** Cursors deleted per round of a pass (each with all its pages, in a transaction of its own). */
    static final int BATCH = 100;
    /** Usage rows are kept a little longer than the rolling day they are summed over. */
    static final Duration USAGE_KEPT = Duration.ofHours(25);

    private final CursorStore cursors;
    private final LeaderLock leader;
    private final InstantSource clock;
    private final Duration interval;

    CursorPruner(CursorStore cursors, LeaderLock leader, InstantSource clock, Duration interval) {
        super("millrace-cursor-pruner");
        this.cursors = cursors;
        this.leader = leader;
        this.clock = clock;
        this.interval = interval;
    }

    @Override
    Duration tick() {
        runOnce();
        return interval;
    }

    /** One pass if this node is the leader; returns cursors deleted, or -1 when another node leads. */
    int runOnce() {
        Integer deleted = leader.ifLeader("cursor-pruner", () -> {
            Instant now = clock.instant();
            int total = 0;
            int n;
            do {
                n = cursors.pruneExpired(now, now.minus(USAGE_KEPT), BATCH);
                total += n;
            } while (n == BATCH);
            return total;
        });
        if (deleted != null && deleted > 0) LOG.info("pruned {} expired cursors", deleted);
        return deleted == null ? -1 : deleted;
    }
}
