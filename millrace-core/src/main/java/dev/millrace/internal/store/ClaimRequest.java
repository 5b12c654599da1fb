package dev.millrace.internal.store;

import dev.millrace.JobType;
import dev.millrace.TenantId;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One fair claim: ready jobs from each tenant, at most {@code total} in all, taken in order of their fair-queuing
 * key. A tenant's k-th job (oldest first) has the key {@code start + k × step} of its {@link Lane}; the claim takes
 * the smallest keys. With equal lanes (start 0, step 1) that is round by round: every tenant's oldest job, then
 * every tenant's second…
 *
 * @param node the claiming node
 * @param now jobs with {@code runAt <= now} are ready
 * @param leaseUntil the lease expiry stamped on claimed jobs
 * @param tenants the tenants to claim from, in the order to serve ties
 * @param perTenant the most jobs of one tenant (when {@code lanes} gives none)
 * @param total the most jobs in all
 * @param lanes per tenant (parallel to {@code tenants}): its limit, key start and step, and the job types not to
 *     claim for it; null for equal lanes of {@code perTenant} jobs
 */
public record ClaimRequest(String node, Instant now, Instant leaseUntil, List<TenantId> tenants, int perTenant,
                           int total, List<Lane> lanes) {

    /**
     * One tenant's part of the claim.
     *
     * @param limit the most jobs of the tenant
     * @param start its first job's key, less one step
     * @param step how far each further job moves the key (1 / weight)
     * @param excluded job types not claimed for it here (at their fair-usage cap, or claimed under a lock)
     */
    public record Lane(int limit, double start, double step, Set<JobType> excluded) {
        /** The excluded types as the claim statements bind them: {@code ,A,B,}, or null for none. */
        public String excludedList() {
            if (excluded.isEmpty()) return null;
            StringBuilder b = new StringBuilder(",");
            for (JobType t : excluded) b.append(t.name()).append(',');
            return b.toString();
        }
    }

    /** An equal claim: up to {@code perTenant} from each tenant, round by round, in the listed order. */
    public ClaimRequest(String node, Instant now, Instant leaseUntil, List<TenantId> tenants, int perTenant, int total) {
        this(node, now, leaseUntil, tenants, perTenant, total, null);
    }

    /** The lanes, equal ones when none were given. */
    public List<Lane> lanesOrEqual() {
        if (lanes != null) return lanes;
        List<Lane> out = new ArrayList<>(tenants.size());
        for (int i = 0; i < tenants.size(); i++) out.add(new Lane(perTenant, 0, 1, Set.of()));
        return out;
    }
}
