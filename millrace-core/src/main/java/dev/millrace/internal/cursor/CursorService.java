package dev.millrace.internal.cursor;

import dev.millrace.CursorPolicy;
import dev.millrace.Cursors;
import dev.millrace.TenantId;
import dev.millrace.internal.store.CursorStore;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.sql.Connection;
import javax.sql.DataSource;

/**
 * A node's cursors: opens sessions for executions, knows the application data sources cursors may query, and
 * administers the tenants' cursor policies.
 */
public final class CursorService implements Cursors {
    /** Rows per stored page: a fetch of up to this many rows reads at most two pages. */
    public static final int PAGE_SIZE = 1000;

    private final CursorStore store;
    private final InstantSource clock;
    private final Map<String, DataSource> dataSources;
    private final Consumer<TenantId> tenantCheck;
    /** Policies read recently, so an execution's first fetch costs no policy query; a change on this node is seen at once. */
    private final ConcurrentHashMap<TenantId, Cached> policies = new ConcurrentHashMap<>();

    private record Cached(CursorPolicy policy, Instant until) {
    }

    /** How long a policy read from the store is used before it is read again (a change on another node). */
    static final Duration POLICY_CACHE = Duration.ofSeconds(5);

    /**
     * @param store where cursors are kept
     * @param clock the node's clock
     * @param dataSources the application data sources by name
     * @param tenantCheck throws when a tenant does not exist
     */
    public CursorService(CursorStore store, InstantSource clock, Map<String, DataSource> dataSources,
                         Consumer<TenantId> tenantCheck) {
        this.store = store;
        this.clock = clock;
        this.dataSources = new TreeMap<>(dataSources);
        this.tenantCheck = tenantCheck;
    }

    /**
     * A session for one execution: its allowances count from zero.
     *
     * @param tenant the execution's tenant
     * @param jobId the execution's job
     * @param connection the execution's own transaction, for queries on the Millrace database
     */
    public CursorSession session(TenantId tenant, UUID jobId, Supplier<Connection> connection) {
        return new CursorSession(this, tenant, jobId, connection);
    }

    CursorStore store() {
        return store;
    }

    InstantSource clock() {
        return clock;
    }

    DataSource dataSource(String name) {
        DataSource ds = dataSources.get(name);
        if (ds == null) {
            throw new IllegalArgumentException("data source '" + name + "' is not registered: expected one of "
                    + dataSources.keySet() + " (register it with Millrace.Builder.applicationDataSource)");
        }
        return ds;
    }

    @Override
    public CursorPolicy policy(TenantId tenant) {
        Objects.requireNonNull(tenant, "tenant");
        Instant now = clock.instant();
        Cached c = policies.get(tenant);
        if (c != null && now.isBefore(c.until())) return c.policy();
        CursorPolicy p = store.policy(tenant).orElse(CursorPolicy.DEFAULTS);
        policies.put(tenant, new Cached(p, now.plus(POLICY_CACHE)));
        return p;
    }

    @Override
    public CursorPolicy putPolicy(TenantId tenant, CursorPolicy policy) {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(policy, "policy");
        tenantCheck.accept(tenant);
        store.putPolicy(tenant, policy, clock.instant());
        policies.remove(tenant);
        return policy;
    }
}
