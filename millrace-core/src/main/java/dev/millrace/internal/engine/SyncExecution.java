package dev.millrace.internal.engine;

import dev.millrace.AsyncException;
import dev.millrace.Execution;
import dev.millrace.JobId;
import dev.millrace.SyncWork;
import dev.millrace.TenantId;
import dev.millrace.TenantPolicy;
import dev.millrace.internal.limits.ExecutionLimits;
import dev.millrace.internal.store.NewJob;
import dev.millrace.limits.Limit;
import dev.millrace.limits.LimitException;

import java.net.http.HttpClient;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * A synchronous execution: application code run by {@code Millrace.runSynchronously} with the synchronous
 * limits, in one transaction that commits when the code returns and rolls back when it throws. Jobs it
 * enqueues ride that transaction, within the synchronous allowances (50 queueables, 50 futures by default).
 */
final class SyncExecution implements Execution {
    private static final ThreadLocal<SyncExecution> CURRENT = new ThreadLocal<>();

    private final Core core;
    private final TenantId tenant;
    private final TenantPolicy policy;
    private final ExecutionResources resources;
    private boolean enqueued;

    private SyncExecution(Core core, TenantId tenant, TenantPolicy policy) {
        this.core = core;
        this.tenant = tenant;
        this.policy = policy;
        this.resources = new ExecutionResources(core, tenant, new ExecutionLimits("sync", policy.syncLimits(),
                policy.enqueuePerSyncExecution(), policy.futuresPerExecution()), "a synchronous execution of tenant " + tenant);
    }

    /** The synchronous execution of this node running on the calling thread, or null. */
    static SyncExecution current(Core core) {
        SyncExecution s = CURRENT.get();
        return s != null && s.core == core ? s : null;
    }

    static <T> T run(Core core, TenantId tenant, TenantPolicy policy, SyncWork<T> work) {
        if (CURRENT.get() != null || Executions.currentContext() != null) {
            throw new IllegalStateException("runSynchronously cannot be nested in another execution: expected it"
                    + " from application code outside jobs and synchronous executions");
        }
        SyncExecution s = new SyncExecution(core, tenant, policy);
        ExecutionLimits limits = s.resources.limits;
        CURRENT.set(s);
        limits.attach();
        core.governance().watchdog.add(limits);
        Connection c = null;
        try {
            T result = work.run(s);
            limits.checkBreach();
            limits.checkResourcesAtEnd();
            boolean batches = s.resources.hasBeforeCommit();
            if (batches) s.resources.runBeforeCommit(s.resources.transaction());
            c = s.resources.openTransaction();
            if (c != null) c.commit();
            if (s.enqueued || batches) core.wake().run();
            return result;
        } catch (Throwable t) {
            c = s.resources.openTransaction();
            if (c != null) {
                try {
                    c.rollback();
                } catch (SQLException e) {
                    t.addSuppressed(e);
                }
            }
            LimitException breach = limits.breach();
            if (breach != null && t != breach) {
                // Caught and swallowed, or the watchdog interrupted: the limit is why it ends.
                breach.addSuppressed(t);
                throw breach;
            }
            if (t instanceof RuntimeException r) throw r;
            if (t instanceof Error e) throw e;
            throw new AsyncException("synchronous execution of tenant '" + tenant + "' failed and was rolled back: " + t, t);
        } finally {
            core.governance().watchdog.remove(limits);
            // The watchdog's interrupt was meant for the execution, not for the caller's thread afterwards.
            if (limits.breach() != null) Thread.interrupted();
            ExecutionLimits.detach();
            CURRENT.remove();
            c = s.resources.openTransaction();
            if (c != null) {
                try {
                    c.setAutoCommit(true);
                    c.close();
                } catch (SQLException e) {
                    // the pool discards a broken connection
                }
            }
        }
    }

    /** Work written into this execution's transaction just before it commits. */
    void beforeCommit(ExecutionResources.BeforeCommit work) {
        resources.beforeCommit(work);
    }

    /** Enqueues a queueable in this execution's transaction, within the synchronous allowance. */
    JobId enqueue(NewJob job) {
        resources.limits.add(Limit.QUEUEABLE_JOBS, 1, "too many queueable jobs added to the queue: "
                + (resources.limits.used(Limit.QUEUEABLE_JOBS) + 1) + " (limit " + policy.enqueuePerSyncExecution()
                + " per sync execution, policy enqueuePerSyncExecution)");
        return insert(job);
    }

    /** Enqueues a future in this execution's transaction, within the future allowance. */
    JobId enqueueFuture(NewJob job) {
        resources.limits.add(Limit.FUTURE_CALLS, 1, "too many future calls: "
                + (resources.limits.used(Limit.FUTURE_CALLS) + 1) + " (limit " + policy.futuresPerExecution()
                + " per execution, policy futuresPerExecution)");
        return insert(job);
    }

    private JobId insert(NewJob job) {
        Connection c = resources.transaction();
        List<NewJob> batch = List.of(job);
        if (core.governance().flags.gates(batch)) core.governance().flags.insert(c, batch, () -> core.store().insert(c, batch));
        else core.store().insert(c, batch);
        enqueued = true;
        return JobId.of(job.id());
    }

    void checkTenant(TenantId other) {
        if (!tenant.equals(other)) {
            throw new AsyncException("a synchronous execution of tenant '" + tenant + "' cannot enqueue work for tenant '"
                    + other + "': expected its own tenant");
        }
    }

    @Override
    public TenantId tenant() {
        return tenant;
    }

    @Override
    public Connection connection() {
        return resources.connection();
    }

    @Override
    public ExecutionLimits limits() {
        return resources.limits;
    }

    @Override
    public HttpClient httpClient() {
        return resources.httpClient();
    }

    @Override
    public boolean flag(String name) {
        return resources.flag(name);
    }
}
