package dev.millrace;

import java.time.Instant;
import java.util.List;

/** Figures across tenants for dashboards and metrics, read from the store, so they hold for every node. */
public interface Monitoring {

    /** Jobs by tenant, type and status; combinations with no job are absent. */
    List<JobCount> census();

    /**
     * Jobs that reached a terminal status in {@code [from, to)}, per minute, tenant and status, oldest first.
     *
     * @param tenant one tenant, or null for every tenant
     */
    List<MinuteCount> endedPerMinute(TenantId tenant, Instant from, Instant to);

    /**
     * Jobs that a node ran and that ended in {@code (after, upTo]}, with their wait and run times, at most
     * {@code max}, oldest first: the feed of wait and run time histograms.
     */
    List<EndedJob> endedOnNode(String node, Instant after, Instant upTo, int max);

    /** What this node's rescuer did with expired leases since the node was built (running totals). */
    LeaseRescues leaseRescues();

    /**
     * Checks that the store answers.
     *
     * @throws RuntimeException naming the problem when it does not
     */
    void checkStore();
}
