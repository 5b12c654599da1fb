package dev.millrace.internal.store;

import dev.millrace.JobType;
import dev.millrace.TenantId;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** What fair dispatch needs from the store beyond claims: ready counts, capped lanes, the daily allocation. */
public interface FairStore {

    /** Ready jobs per tenant and job type at {@code now}, each tenant's oldest {@code cap} at most. */
    Map<TenantId, Map<JobType, Integer>> readyCounts(Instant now, List<TenantId> tenants, int cap);

    /**
     * Claims up to {@code want} ready jobs of one tenant and type under the lane's row lock, so that every node sees
     * the same running count and token bucket: at most {@code maxRunning} running (null: no cap) and at most
     * {@code startsPerSecond} starts per second with a burst of one second's worth (null: no limit).
     */
    LaneClaim claimLane(String node, Instant now, Instant leaseUntil, TenantId tenant, JobType type, int want,
                        Integer maxRunning, Integer startsPerSecond);

    /**
     * What a lane claim took, and when a rate-limited lane has its next token (null when not rate limited or a
     * token is there).
     *
     * @param jobs the claimed jobs, oldest first
     * @param nextToken how long until the next start is allowed, or null
     */
    record LaneClaim(List<ClaimedJob> jobs, Duration nextToken) {
    }

    /** Adds executions accepted by this node in the hour starting at {@code hourStart}. */
    void addExecutions(String node, Instant hourStart, Map<TenantId, Long> counts);

    /** The tenant's executions per hour from {@code from} on, summed over nodes other than {@code exceptNode}. */
    Map<Instant, Long> executions(TenantId tenant, Instant from, String exceptNode);

    /** Deletes usage older than {@code before}. */
    int pruneUsage(Instant before);
}
