package dev.millrace.fair;

import dev.millrace.JobType;
import dev.millrace.TenantId;

import java.time.Duration;
import java.util.Objects;

/**
 * One tenant's use of this node's workers for one job type since the node started, and where fair dispatch holds it
 * now (SPEC.md FAIR-7). The share of worker time of a tenant is its {@code workerTime} over the sum of all lanes'.
 *
 * @param tenant the tenant
 * @param type the job type
 * @param started jobs of the lane this node started
 * @param workerTime the time this node's workers spent running the lane's jobs that ended
 * @param running the lane's jobs running (or claimed and about to start) on this node now
 * @param deferrals claim passes that held the lane back: at its fair-usage tier's thread cap, or waiting for a token
 *                  of its {@code maxStartsPerSecond}
 * @param tier its fair-usage tier now, 0 (the top) and down
 * @param threadCap the most of this node's workers it may hold for the type at that tier
 * @param dominating whether it dominates the type's ready jobs now (its jobs are claimed behind others')
 */
public record FairShare(TenantId tenant, JobType type, long started, Duration workerTime, int running, long deferrals,
                        int tier, int threadCap, boolean dominating) {

    /** Checks that tenant, type and time are given. */
    public FairShare {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(workerTime, "workerTime");
    }
}
