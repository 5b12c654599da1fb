package dev.millrace.internal.engine;

import dev.millrace.internal.limits.ExecutionLimits;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks the CPU time and heap of every execution running on this node from outside its thread, so code that
 * spins without a counted operation is still stopped: a breach is recorded on the execution and its thread is
 * interrupted. One read of two per-thread counters per execution per pass keeps it cheap.
 */
final class LimitWatchdog extends LoopService {
    /** How often running executions are checked. */
    static final Duration INTERVAL = Duration.ofMillis(100);

    private final Set<ExecutionLimits> running = ConcurrentHashMap.newKeySet();

    LimitWatchdog() {
        super("millrace-limit-watchdog");
    }

    void add(ExecutionLimits limits) {
        if (limits.accounting()) running.add(limits);
    }

    void remove(ExecutionLimits limits) {
        running.remove(limits);
    }

    /** One pass: how many executions breached. */
    int runOnce() {
        int breached = 0;
        for (ExecutionLimits l : running) if (l.checkFromOutside()) breached++;
        return breached;
    }

    @Override
    Duration tick() {
        runOnce();
        return INTERVAL;
    }
}
