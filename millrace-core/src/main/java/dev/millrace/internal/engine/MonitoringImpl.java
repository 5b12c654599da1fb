package dev.millrace.internal.engine;

import dev.millrace.TenantId;
import dev.millrace.internal.store.StatsStore;
import dev.millrace.internal.store.TenantStore;
import dev.millrace.monitoring.EndedJob;
import dev.millrace.monitoring.JobCount;
import dev.millrace.monitoring.MinuteCount;
import dev.millrace.monitoring.Monitoring;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** {@link Monitoring} over the stats store. */
final class MonitoringImpl implements Monitoring {
    private final StatsStore stats;
    private final TenantStore tenants;
    private final java.util.function.Supplier<dev.millrace.monitoring.LeaseRescues> rescues;
    private final EndedJobs ended;

    MonitoringImpl(StatsStore stats, TenantStore tenants, java.util.function.Supplier<dev.millrace.monitoring.LeaseRescues> rescues,
                   EndedJobs ended) {
        this.stats = stats;
        this.tenants = tenants;
        this.rescues = rescues;
        this.ended = ended;
    }

    @Override
    public long takeEnded(java.util.function.Consumer<? super EndedJob> sink) {
        Objects.requireNonNull(sink, "sink");
        return ended.take(sink);
    }

    @Override
    public dev.millrace.monitoring.LeaseRescues leaseRescues() {
        return rescues.get();
    }

    @Override
    public List<JobCount> census() {
        return stats.census();
    }

    @Override
    public List<MinuteCount> endedPerMinute(TenantId tenant, Instant from, Instant to) {
        range(from, to);
        return stats.endedPerMinute(tenant, from, to);
    }

    @Override
    public List<EndedJob> endedOnNode(String node, Instant after, Instant upTo, int max) {
        Objects.requireNonNull(node, "node");
        range(after, upTo);
        if (max < 1 || max > 100_000) {
            throw new IllegalArgumentException("max " + max + " is out of range: expected 1 to 100000");
        }
        return stats.endedOnNode(tenants.list(), node, after, upTo, max);
    }

    @Override
    public void checkStore() {
        stats.ping();
    }

    private static void range(Instant from, Instant to) {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        if (to.isBefore(from)) {
            throw new IllegalArgumentException("range end " + to + " is before its start " + from
                    + ": expected an empty or forward range");
        }
    }
}
