package dev.millrace.internal.engine;

import dev.millrace.TenantId;
import dev.millrace.TenantPolicy;
import dev.millrace.UnknownTenantException;
import dev.millrace.internal.store.TenantStore;

import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.ConcurrentHashMap;

/** Tenant policies, cached briefly so the enqueue path does not read the tenants table every time. */
final class TenantPolicies {
    static final Duration CACHE_TIME = Duration.ofSeconds(30);

    private record Cached(TenantPolicy policy, long expiresAtMillis) {
    }

    private final TenantStore store;
    private final InstantSource clock;
    private final ConcurrentHashMap<TenantId, Cached> cache = new ConcurrentHashMap<>();

    TenantPolicies(TenantStore store, InstantSource clock) {
        this.store = store;
        this.clock = clock;
    }

    /** The tenant's policy, or {@link UnknownTenantException} naming it. */
    TenantPolicy get(TenantId tenant) {
        long now = clock.millis();
        Cached c = cache.get(tenant);
        if (c != null && c.expiresAtMillis() > now) return c.policy();
        TenantPolicy policy = store.policy(tenant).orElseThrow(() -> new UnknownTenantException("tenant '" + tenant
                + "' does not exist: expected a tenant created with millrace.tenants().create(TenantId.of(\"" + tenant
                + "\"))"));
        cache.put(tenant, new Cached(policy, now + CACHE_TIME.toMillis()));
        return policy;
    }

    void invalidate(TenantId tenant) {
        cache.remove(tenant);
    }
}
