package dev.millrace.monitoring;

import dev.millrace.TenantId;

import java.time.Instant;
import java.util.List;

/**
 * Figures across tenants for dashboards and metrics. Most are read from the store, so they hold for every node;
 * {@link #takeEnded} and {@link #leaseRescues} are this node's own, from its memory.
 */
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
     * {@code max}, oldest first, read from the job history. The read walks each tenant's retained history (there is
     * no index on the end time), so its cost grows with the history: it is for tools and occasional looks, not for
     * hot loops. This node's own ends, as they happen, come from {@link #takeEnded} without a read.
     */
    List<EndedJob> endedOnNode(String node, Instant after, Instant upTo, int max);

    /**
     * Hands {@code sink} the jobs this node ended since the previous call, roughly in the order their ends
     * committed, from memory (no store read): the feed of wait and run time histograms. A job is handed over once,
     * by the node that wrote its end: a job it ran (completed, failed or aborted while running, finalizers, scheduled
     * jobs, batches and their chunks), one it aborted before it started (no wait or run time), one its rescuer failed
     * or aborted for an expired lease. Chunks a batch's end marks ABORTED without running them are not handed over.
     *
     * <p>The node keeps ends from the first call on, up to 65,536 between two calls; recording one never waits on
     * the consumer. Past that bound new ends are dropped and counted: call it often (every second or so) on a busy
     * node. The sink runs on the calling thread. Each end goes to one call: two consumers of one node (the server's
     * metrics and another) would split the ends between them.
     *
     * @param sink receives each ended job
     * @return how many ended jobs were dropped since the previous call because too many waited
     */
    long takeEnded(java.util.function.Consumer<? super EndedJob> sink);

    /** What this node's rescuer did with expired leases since the node was built (running totals). */
    LeaseRescues leaseRescues();

    /**
     * Checks that the store answers.
     *
     * @throws RuntimeException naming the problem when it does not
     */
    void checkStore();
}
