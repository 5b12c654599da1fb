package dev.millrace.internal.store;

import dev.millrace.TenantId;
import dev.millrace.monitoring.EndedJob;
import dev.millrace.monitoring.JobCount;
import dev.millrace.monitoring.MinuteCount;

import java.time.Instant;
import java.util.List;

/** Read-only figures over the job table for monitoring; see {@link dev.millrace.monitoring.Monitoring}. */
public interface StatsStore {

    /** Jobs by tenant, type and status. */
    List<JobCount> census();

    /** Terminal jobs per minute, tenant and status in {@code [from, to)}; tenant null for all. */
    List<MinuteCount> endedPerMinute(TenantId tenant, Instant from, Instant to);

    /** A node's jobs that ended in {@code (after, upTo]} of these tenants, at most max, oldest first. */
    List<EndedJob> endedOnNode(List<TenantId> tenants, String node, Instant after, Instant upTo, int max);

    /** Runs a trivial query; throws when the database does not answer. */
    void ping();
}
