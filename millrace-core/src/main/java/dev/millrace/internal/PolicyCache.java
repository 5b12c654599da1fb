package dev.millrace.internal;

import dev.millrace.TenantId;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * A node's copies of the tenants' policies of one kind, each reused for a time read on the node's clock so a hot
 * path does not query the store every time. A change made on this node ({@link #put}, or a change stored by other
 * means followed by {@link #forget}) is seen here at once; a change made on another node within the time.
 *
 * <p>A copy loaded at a time the clock has since gone back before is read again: without that, setting the clock
 * back would keep a copy for as long as the clock took to catch up. A read that raced a {@link #put} on this node
 * may keep the old policy, like another node's change, for at most the cache time.
 *
 * @param <P> the policy type
 */
public final class PolicyCache<P> {
    private record Copy<P>(P policy, Instant loadedAt, Instant expiresAt) {
    }

    private final InstantSource clock;
    private final Duration time;
    private final Function<TenantId, P> load;
    private final BiConsumer<TenantId, P> save;
    private final ConcurrentHashMap<TenantId, Copy<P>> copies = new ConcurrentHashMap<>();

    /**
     * @param clock the node's clock
     * @param time how long a copy is reused; zero reads the store at every {@link #get}
     * @param load reads a tenant's policy from the store (its defaults when it has none stored); never null
     * @param save checks the tenant and stores its policy
     */
    public PolicyCache(InstantSource clock, Duration time, Function<TenantId, P> load, BiConsumer<TenantId, P> save) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.load = Objects.requireNonNull(load, "load");
        this.save = Objects.requireNonNull(save, "save");
        Objects.requireNonNull(time, "time");
        if (time.isNegative()) {
            throw new IllegalArgumentException("policy cache time " + time
                    + " is invalid: expected zero (no reuse) or a positive duration");
        }
        this.time = time;
    }

    /**
     * A cache of values stored by other means than {@link #put} (which it refuses): whatever stores a change calls
     * {@link #forget}.
     */
    public PolicyCache(InstantSource clock, Duration time, Function<TenantId, P> load) {
        this(clock, time, load, (tenant, policy) -> {
            throw new IllegalStateException("this cache stores nothing: expected the change stored by its own"
                    + " service, then forget(" + tenant + ")");
        });
    }

    /** The tenant's policy: the copy read within the cache time, or read now. */
    public P get(TenantId tenant) {
        return get(tenant, clock.instant());
    }

    /** As {@link #get(TenantId)} at {@code now}, a time the caller just read from the same clock. */
    public P get(TenantId tenant, Instant now) {
        Objects.requireNonNull(tenant, "tenant");
        Copy<P> c = copies.get(tenant);
        if (c != null && now.isBefore(c.expiresAt()) && !now.isBefore(c.loadedAt())) return c.policy();
        P p = load.apply(tenant);
        if (p == null) {
            throw new NullPointerException("policy read for tenant '" + tenant
                    + "' is null: expected the stored policy or the defaults");
        }
        copies.put(tenant, new Copy<>(p, now, now.plus(time)));
        return p;
    }

    /**
     * Stores the tenant's policy and forgets this node's copy, so the next {@link #get} reads the change. A save that
     * fails leaves the copy, which is still what is stored.
     *
     * @return the policy
     */
    public P put(TenantId tenant, P policy) {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(policy, "policy");
        save.accept(tenant, policy);
        copies.remove(tenant);
        return policy;
    }

    /** Forgets this node's copy of the tenant's policy, so the next {@link #get} reads the store. */
    public void forget(TenantId tenant) {
        copies.remove(Objects.requireNonNull(tenant, "tenant"));
    }
}
