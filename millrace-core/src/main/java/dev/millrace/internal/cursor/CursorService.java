package dev.millrace.internal.cursor;

import dev.millrace.TenantId;
import dev.millrace.cursor.CursorPolicy;
import dev.millrace.cursor.Cursors;
import dev.millrace.internal.PolicyCache;
import dev.millrace.internal.store.CursorStore;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
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
    /** Policies read recently, so an execution's first fetch costs no policy query. */
    private final PolicyCache<CursorPolicy> policies;

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
        this.policies = new PolicyCache<>(clock, POLICY_CACHE, t -> store.policy(t).orElse(CursorPolicy.DEFAULTS),
                (t, p) -> {
                    tenantCheck.accept(t);
                    store.putPolicy(t, p, clock.instant());
                });
        this.dataSources = new TreeMap<>(dataSources);
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
        return policies.get(tenant);
    }

    @Override
    public CursorPolicy putPolicy(TenantId tenant, CursorPolicy policy) {
        return policies.put(tenant, policy);
    }
}
