package dev.millrace.internal.engine;

import dev.millrace.TenantId;
import dev.millrace.TenantPolicy;
import dev.millrace.UnknownTenantException;
import dev.millrace.internal.PolicyCache;
import dev.millrace.internal.store.TenantStore;

import java.time.Duration;
import java.time.InstantSource;

/** Tenant policies, cached briefly so the enqueue path does not read the tenants table every time. */
final class TenantPolicies {
    static final Duration CACHE_TIME = Duration.ofSeconds(30);

    private final PolicyCache<TenantPolicy> cache;

    TenantPolicies(TenantStore store, InstantSource clock) {
        this.cache = new PolicyCache<>(clock, CACHE_TIME, tenant -> store.policy(tenant).orElseThrow(() ->
                new UnknownTenantException("tenant '" + tenant + "' does not exist: expected a tenant created with"
                        + " millrace.tenants().create(TenantId.of(\"" + tenant + "\"))")),
                (tenant, policy) -> store.put(tenant, policy, clock.instant()));
    }

    /** The tenant's policy, or {@link UnknownTenantException} naming it. */
    TenantPolicy get(TenantId tenant) {
        return cache.get(tenant);
    }

    /** As {@link #get(TenantId)} at {@code now}, a time the caller just read from the node's clock. */
    TenantPolicy get(TenantId tenant, java.time.Instant now) {
        return cache.get(tenant, now);
    }

    /** Stores the tenant's policy (creating the tenant when absent); this node sees it at once. */
    TenantPolicy put(TenantId tenant, TenantPolicy policy) {
        return cache.put(tenant, policy);
    }

    /** Forgets this node's copy, after the tenant was stored by other means (created). */
    void forget(TenantId tenant) {
        cache.forget(tenant);
    }
}
