package dev.millrace;

import java.util.List;
import java.util.Optional;

/** Administration of tenants and their policies. */
public interface Tenants {

    /**
     * Creates a tenant with a policy, or replaces the policy of an existing one.
     *
     * @return the policy now in force
     */
    TenantPolicy put(TenantId tenant, TenantPolicy policy);

    /** Creates a tenant with the default policy if it does not exist yet. */
    TenantPolicy create(TenantId tenant);

    /** The tenant's policy, or empty when the tenant does not exist. */
    Optional<TenantPolicy> policy(TenantId tenant);

    /** Every tenant, in id order. */
    List<TenantId> list();

    /**
     * What the tenant uses now of its policy's allowances (daily async executions, schedules, active batches, flex
     * queue), how many channels and subscriptions it has and how many events its external clients received in the
     * rolling 24 hours (of its event policy's allocation). A few store reads.
     *
     * @throws UnknownTenantException when the tenant does not exist
     */
    TenantUsage usage(TenantId tenant);
}
