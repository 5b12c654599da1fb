package dev.millrace.internal.engine;

import dev.millrace.internal.fair.DailyQuota;

import java.time.Duration;

/** Once a second, writes this node's execution counts and re-reads the other nodes', off the enqueue path. */
final class DailyAllocationService extends LoopService {
    static final Duration PERIOD = Duration.ofSeconds(1);

    private final DailyQuota quota;

    DailyAllocationService(DailyQuota quota) {
        super("millrace-daily-allocation");
        this.quota = quota;
    }

    @Override
    Duration tick() {
        quota.maintain();
        return PERIOD;
    }
}
