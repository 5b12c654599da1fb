package dev.millrace.monitoring;

import dev.millrace.JobType;
import dev.millrace.TenantId;
import dev.millrace.fair.GovernorState;
import dev.millrace.fair.ResourceSample;

import java.util.List;

/**
 * A node's state as its status page and metrics show it.
 *
 * @param nodeId the node
 * @param workers its worker threads
 * @param inFlight jobs claimed by it and not yet ended (running or about to start)
 * @param governor what the resource governor does
 * @param governorReason why, e.g. {@code heap 91.2 % above 85.0 %}; empty when normal
 * @param allowedExecutions how many jobs it may run at once now (the workers when normal, 0 when suspended)
 * @param lastSample the governor's last reading, or null before the first
 * @param fairUsage per tenant and job type, the lanes that flow control or fair usage holds back
 */
public record NodeStatus(String nodeId, int workers, int inFlight, GovernorState governor, String governorReason,
                         int allowedExecutions, ResourceSample lastSample, List<FairUsageStatus> fairUsage) {

    /**
     * One tenant's lane of one job type that dominates its queue or is lowered a tier.
     *
     * @param tenant the tenant
     * @param type the job type
     * @param tier 0 (the top tier) and down
     * @param threadCap the most workers of this node it may hold for the type
     * @param dominating whether it dominates the type's ready jobs now (its jobs are claimed behind others')
     */
    public record FairUsageStatus(TenantId tenant, JobType type, int tier, int threadCap, boolean dominating) {
    }
}
