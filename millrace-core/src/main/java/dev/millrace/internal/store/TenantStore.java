package dev.millrace.internal.store;

import dev.millrace.TenantId;
import dev.millrace.TenantPolicy;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Tenants and their policies. */
public interface TenantStore {

    /** Creates the tenant or replaces its policy. */
    void put(TenantId tenant, TenantPolicy policy, Instant now);

    /** Creates the tenant with this policy unless it exists; returns the policy in force. */
    TenantPolicy createIfAbsent(TenantId tenant, TenantPolicy policy, Instant now);

    /** The tenant's policy, if the tenant exists. */
    Optional<TenantPolicy> policy(TenantId tenant);

    /** Every tenant in id order. */
    List<TenantId> list();
}
