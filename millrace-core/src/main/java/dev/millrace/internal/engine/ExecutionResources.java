package dev.millrace.internal.engine;

import dev.millrace.TenantId;
import dev.millrace.internal.flags.FlagService;
import dev.millrace.internal.limits.ExecutionLimits;
import dev.millrace.internal.limits.MeteredHttpClient;
import dev.millrace.internal.limits.MeteredJdbc;
import dev.millrace.internal.store.StoreException;

import java.net.http.HttpClient;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;

/**
 * What one execution (a job's or a synchronous one) holds besides its work: its transaction, opened on first
 * use, the metered views of it and of the HTTP client user code gets, its limits, and the flag values it read.
 */
final class ExecutionResources {
    final ExecutionLimits limits;
    private final Core core;
    private final TenantId tenant;
    private final String what;
    private Connection transaction;
    private boolean used;
    private Connection metered;
    private HttpClient http;
    private String calloutsRefused;
    private Map<String, Boolean> flags;
    private java.util.List<BeforeCommit> beforeCommit;

    /** Work the engine writes into the execution's transaction just before it commits (a batch's submission). */
    interface BeforeCommit {
        void run(Connection c);
    }

    ExecutionResources(Core core, TenantId tenant, ExecutionLimits limits, String what) {
        this.core = core;
        this.tenant = tenant;
        this.limits = limits;
        this.what = what;
    }

    /** The execution's own transaction, unmetered: what the engine writes through. */
    Connection transaction() {
        used = true;
        if (transaction == null) {
            DataSource ds = core.dataSource();
            try {
                Connection c = ds.getConnection();
                c.setAutoCommit(false);
                transaction = c;
            } catch (SQLException e) {
                throw new StoreException("cannot open the transaction of " + what + ": " + e.getMessage(), e);
            }
        }
        return transaction;
    }

    /**
     * Adds work to write just before the execution commits. Work that takes a lock other transactions wait on
     * (the tenant's flex-queue lock) goes here, so the lock is held only while the execution commits.
     */
    void beforeCommit(BeforeCommit work) {
        if (beforeCommit == null) beforeCommit = new java.util.ArrayList<>();
        beforeCommit.add(work);
    }

    /** Whether work waits for the commit. */
    boolean hasBeforeCommit() {
        return beforeCommit != null && !beforeCommit.isEmpty();
    }

    /** Writes the work added with {@link #beforeCommit} into the transaction, in the order it was added. */
    void runBeforeCommit(Connection c) {
        if (beforeCommit == null) return;
        for (BeforeCommit w : beforeCommit) w.run(c);
        beforeCommit.clear();
    }

    /** Uses a transaction the caller opened and will end (a batch reuses one connection for its chunks). */
    void adopt(Connection c) {
        transaction = c;
        metered = null;
        used = false;
    }

    /** Whether the execution's work or the engine on its behalf used its transaction since it was opened or adopted. */
    boolean used() {
        return used;
    }

    /** The transaction, if the execution opened one. */
    Connection openTransaction() {
        return transaction;
    }

    /** The transaction as user code sees it: counted against the limits. */
    Connection connection() {
        limits.checkBreach();
        if (metered == null) metered = limits.accounting() ? MeteredJdbc.wrap(transaction(), limits) : transaction();
        return metered;
    }

    HttpClient httpClient() {
        if (http == null) http = new MeteredHttpClient(core.governance().http(), limits, calloutsRefused);
        return http;
    }

    /** Refuses every callout of this execution, for this reason (a future without {@code callout = true}). */
    void refuseCallouts(String why) {
        calloutsRefused = why;
        http = null;
    }

    /** A flag's value, read once per execution so it is stable for the execution's whole run. */
    boolean flag(String name) {
        FlagService.checkName(name);
        if (flags == null) flags = new HashMap<>();
        return flags.computeIfAbsent(name, n -> core.governance().flags.isEnabled(tenant, n));
    }
}
