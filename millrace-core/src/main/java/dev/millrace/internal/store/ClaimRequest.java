package dev.millrace.internal.store;

import dev.millrace.TenantId;

import java.time.Instant;
import java.util.List;

/**
 * One fair claim: up to {@code perTenant} ready jobs from each tenant, at most {@code total} in all.
 *
 * @param node the claiming node
 * @param now jobs with {@code runAt <= now} are ready
 * @param leaseUntil the lease expiry stamped on claimed jobs
 * @param tenants the tenants to claim from, in the order to serve them
 * @param perTenant the most jobs of one tenant
 * @param total the most jobs in all
 */
public record ClaimRequest(String node, Instant now, Instant leaseUntil, List<TenantId> tenants, int perTenant,
                           int total) {
}
