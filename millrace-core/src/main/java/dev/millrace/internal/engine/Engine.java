package dev.millrace.internal.engine;

import dev.millrace.AsyncOptions;
import dev.millrace.Cursors;
import dev.millrace.StepWorkflow;
import dev.millrace.internal.cursor.CursorService;
import dev.millrace.FeatureFlags;
import dev.millrace.SyncWork;
import dev.millrace.internal.flags.FlagService;
import dev.millrace.JobId;
import dev.millrace.JobLogEntry;
import dev.millrace.JobNotFoundException;
import dev.millrace.JobPage;
import dev.millrace.JobQuery;
import dev.millrace.JobRecord;
import dev.millrace.Jobs;
import dev.millrace.Queueable;
import dev.millrace.TenantId;
import dev.millrace.TenantPolicy;
import dev.millrace.Tenants;
import dev.millrace.internal.store.AbortOutcome;
import dev.millrace.internal.store.ClaimRequest;
import dev.millrace.internal.store.ClaimedJob;
import dev.millrace.internal.store.JobStore;
import dev.millrace.internal.store.NewJob;
import dev.millrace.internal.store.TenantStore;
import dev.millrace.internal.event.EventBus;
import dev.millrace.internal.store.sql.PgListener;
import dev.millrace.internal.store.sql.SqlStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A node: the store, the enqueue path, and (once started) the dispatcher, workers and background services.
 * {@code dev.millrace.Millrace} is its public face.
 */
public final class Engine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

    private final EngineConfig config;
    private final SqlStore sql;
    private final JobStore store;
    private final TenantStore tenantStore;
    private final TenantPolicies policies;
    private final Core core;
    private final JobRunner runner;
    private final JobRunner inlineRunner;
    private final Completer completer;
    private final Dispatcher dispatcher;
    private final Heartbeat heartbeat;
    private final Rescuer rescuer;
    private final Pruner pruner;
    private final CursorService cursors;
    private final CursorPruner cursorPruner;
    private final PgListener listener;
    private final EventBus events;
    private final EventDelivery eventDelivery;
    private final EventPruner eventPruner;
    private final PgListener eventListener;
    private final String nodeId;
    private final Jobs jobs = new JobsView();
    private final Tenants tenants = new TenantsView();
    private final Governance governance;
    private final FeatureFlags flags = new FlagsView();
    private final dev.millrace.ApiKeys apiKeys;
    private final dev.millrace.Monitoring monitoring;
    private volatile boolean started;
    private volatile boolean closed;

    private Engine(EngineConfig config, SqlStore sql) {
        this.config = config;
        this.sql = sql;
        this.store = sql.jobs();
        this.tenantStore = sql.tenants();
        this.nodeId = config.nodeId() != null ? config.nodeId() : defaultNodeId();
        this.policies = new TenantPolicies(tenantStore, config.clock());
        List<Class<?>> jobClasses = new ArrayList<>(config.jobClasses());
        jobClasses.add(StepWorkflow.class); // built in: every node can run step workflows
        Registry registry = new Registry(jobClasses, config.futureClasses());
        JobCodec codec = new JobCodec();
        Enqueuer enqueuer = new Enqueuer(registry, codec, policies, config.clock());
        this.cursors = new CursorService(sql.cursors(), config.clock(), config.applicationDataSources(), policies::get);
        this.events = new EventBus(sql.events(), sql.dataSource(), policies::get, config.clock(), this.nodeId,
                config.lease(), config.pollInterval(), config.handlerClasses());
        this.governance = new Governance(new FlagService(sql.flags(), config.clock(), config.flagCacheTime(),
                config.flagBindings()));
        this.core = new Core(store, sql.dataSource(), enqueuer, codec, registry, config.clock(), nodeId, this::wake,
                cursors, events, governance);
        this.completer = new Completer(store);
        this.runner = new JobRunner(core, policies, completer);
        this.inlineRunner = new JobRunner(core, policies, c -> store.complete(List.of(c)));
        this.dispatcher = new Dispatcher(store, config.clock(), nodeId, config.workers(), config.claimBatchSize(),
                config.lease(), config.pollInterval(), runner);
        this.heartbeat = new Heartbeat(store, config.clock(), nodeId, config.lease(), runner);
        this.rescuer = new Rescuer(store, config.clock(), config.maxAttempts(), config.lease(), this::wake);
        this.pruner = new Pruner(store, tenantStore, sql.leaderLock(), config.clock(), config.pruneInterval());
        this.cursorPruner = new CursorPruner(sql.cursors(), sql.leaderLock(), config.clock(), config.pruneInterval());
        this.listener = sql.supportsListenNotify() ? sql.listener(dispatcher::wake) : null;
        this.eventDelivery = new EventDelivery(events, config.clock(), config.pollInterval());
        this.eventPruner = new EventPruner(events, sql.leaderLock(), config.pruneInterval());
        this.eventListener = sql.supportsListenNotify() ? sql.eventListener(events::signal) : null;
        events.onSignal(this::wakeEvents);
        this.apiKeys = new ApiKeysImpl(sql.apiKeys(), policies, config.clock());
        this.monitoring = new MonitoringImpl(sql.stats(), tenantStore, rescuer::totals);
    }

    /** Opens the store (migrating it) and wires a node; nothing runs until {@link #start()}. */
    public static Engine open(EngineConfig config) {
        SqlStore sql = SqlStore.open(config.dataSource(), config.jdbcUrl(), config.user(), config.password(),
                // Two connections per worker: an execution that holds its own transaction may take a second one
                // (a cursor's pages are written and read outside it); six more for the background services.
                config.dataDir(), config.schema(), config.workers() * 2 + 6, config.migrate());
        try {
            return new Engine(config, sql);
        } catch (RuntimeException e) {
            sql.close();
            throw e;
        }
    }

    private static String defaultNodeId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "node";
        }
        return host + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** This node's id. */
    public String nodeId() {
        return nodeId;
    }

    /** Starts the dispatcher, workers and background services. */
    public synchronized void start() {
        if (closed) throw new IllegalStateException("node " + nodeId + " is closed: expected a new Millrace to start");
        if (started) return;
        started = true;
        completer.start();
        heartbeat.start();
        rescuer.start();
        pruner.start();
        cursorPruner.start();
        if (listener != null) listener.start();
        if (eventListener != null) eventListener.start();
        events.refreshSystemSubscribers();
        eventDelivery.start();
        eventPruner.start();
        governance.watchdog.start();
        dispatcher.start();
        LOG.info("Millrace node {} started on {} with {} workers", nodeId, sql, config.workers());
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        if (started) {
            if (listener != null) listener.close();
            if (eventListener != null) eventListener.close();
            eventDelivery.stop();
            eventPruner.stop();
            dispatcher.shutdown(config.shutdownTimeout());
            completer.stop();
            completer.flush();
            heartbeat.stop();
            rescuer.stop();
            pruner.stop();
            cursorPruner.stop();
            LOG.info("Millrace node {} stopped", nodeId);
        }
        governance.watchdog.stop();
        governance.close();
        sql.close();
    }

    private void wakeEvents() {
        if (started && !closed) eventDelivery.wake();
    }

    /** The event bus. */
    public dev.millrace.event.Events events() {
        return events;
    }

    private void wake() {
        if (started && !closed) dispatcher.wake();
    }

    private void afterInsert(NewJob job) {
        if (!started || closed) return;
        // A delayed job wakes the dispatcher too: its idle wait is recomputed from the earliest delayed job.
        if (job.runAt().isAfter(job.createdAt())) dispatcher.wake();
        else dispatcher.wakeFor(job.tenant());
    }

    // ---- enqueue

    /** Enqueues a queueable; see {@code Millrace.enqueue}. */
    public JobId enqueue(Connection connection, TenantId tenant, Queueable job, AsyncOptions options) {
        Objects.requireNonNull(tenant, "tenant");
        BaseContext current = Executions.currentContext();
        SyncExecution sync = connection == null ? SyncExecution.current(core) : null;
        if (sync != null) {
            // Inside a synchronous execution: in its transaction, within the synchronous allowance.
            sync.checkTenant(tenant);
            return sync.enqueue(core.enqueuer().queueable(tenant, job, options, Enqueuer.Lineage.ROOT));
        }
        if (connection == null && current != null && current.core == core) {
            // Inside a running job, enqueue means chaining: in the job's transaction, within its allowance.
            current.checkSameTenant(tenant);
            if (current instanceof FinalizerContextImpl f) return f.enqueue(job, options);
            return ((QueueableContextImpl) current).enqueue(job, options);
        }
        NewJob newJob = core.enqueuer().queueable(tenant, job, options, Enqueuer.Lineage.ROOT);
        insert(connection, List.of(newJob));
        return JobId.of(newJob.id());
    }

    /** Enqueues a future; see {@code Millrace.enqueueFuture}. */
    public JobId enqueueFuture(Connection connection, TenantId tenant, Class<?> type, String method, Object[] args) {
        Objects.requireNonNull(tenant, "tenant");
        BaseContext current = Executions.currentContext();
        SyncExecution sync = connection == null ? SyncExecution.current(core) : null;
        if (sync != null) {
            sync.checkTenant(tenant);
            return sync.enqueueFuture(core.enqueuer().future(tenant, type, method, args, null));
        }
        if (connection == null && current != null && current.core == core) {
            current.checkSameTenant(tenant);
            return current.enqueueFutureHere(type, method, args);
        }
        NewJob newJob = core.enqueuer().future(tenant, type, method, args, null);
        insert(connection, List.of(newJob));
        return JobId.of(newJob.id());
    }

    /** Enqueues many queueables in one transaction; see {@code Millrace.enqueueAll}. */
    public List<JobId> enqueueAll(TenantId tenant, List<? extends Queueable> queueables, AsyncOptions options) {
        Objects.requireNonNull(tenant, "tenant");
        if ((Executions.currentContext() != null && Executions.currentContext().core == core)
                || SyncExecution.current(core) != null) {
            // Inside a running job every enqueue is chaining, within the job's allowance.
            List<JobId> ids = new ArrayList<>(queueables.size());
            for (Queueable q : queueables) ids.add(enqueue(null, tenant, q, options));
            return ids;
        }
        List<NewJob> batch = new ArrayList<>(queueables.size());
        for (Queueable q : queueables) batch.add(core.enqueuer().queueable(tenant, q, options, Enqueuer.Lineage.ROOT));
        insert(null, batch);
        return batch.stream().map(j -> JobId.of(j.id())).toList();
    }

    private void insert(Connection connection, List<NewJob> batch) {
        if (batch.isEmpty()) return;
        if (governance.flags.gates(batch)) insertGated(connection, batch);
        else if (connection == null) store.insert(batch);
        else store.insert(connection, batch);
        afterInsert(batch.get(0));
    }

    /** Jobs of a class bound to a flag: inserted with the flag's row locked, held when it is off. */
    private void insertGated(Connection connection, List<NewJob> batch) {
        if (connection != null) {
            governance.flags.insert(connection, batch, () -> store.insert(connection, batch));
            return;
        }
        try (Connection c = sql.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try {
                governance.flags.insert(c, batch, () -> store.insert(c, batch));
                c.commit();
            } catch (RuntimeException | java.sql.SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (java.sql.SQLException e) {
            throw new dev.millrace.internal.store.StoreException("enqueue failed: " + e.getMessage(), e);
        }
    }

    /** Runs application code as a synchronous execution; see {@code Millrace.runSynchronously}. */
    public <T> T runSynchronously(TenantId tenant, SyncWork<T> work) {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(work, "work");
        TenantPolicy policy = policies.get(tenant);
        if (!closed) governance.watchdog.start();
        return SyncExecution.run(core, tenant, policy, work);
    }

    /** Feature flags. */
    public FeatureFlags flags() {
        return flags;
    }

    private final class FlagsView implements FeatureFlags {
        @Override
        public boolean isEnabled(TenantId tenant, String name) {
            return governance.flags.isEnabled(tenant, name);
        }

        @Override
        public int set(TenantId tenant, String name, boolean enabled) {
            FlagService.checkName(name);
            policies.get(Objects.requireNonNull(tenant, "tenant"));
            int moved = governance.flags.set(tenant, name, enabled);
            if (enabled && moved > 0) wake();
            LOG.info("flag {} of tenant {} switched {} ({} jobs {})", name, tenant, enabled ? "on" : "off", moved,
                    enabled ? "released" : "held");
            return moved;
        }

        @Override
        public java.util.Map<String, Boolean> list(TenantId tenant) {
            policies.get(Objects.requireNonNull(tenant, "tenant"));
            return governance.flags.list(tenant);
        }
    }

    /** Runs ready jobs of one tenant on the calling thread, for tests and tools. */
    public int runReadyJobs(TenantId tenant, int maxJobs) {
        // Inline runs are governed like a started node's: the watchdog stops jobs spinning past their limits.
        if (!closed) governance.watchdog.start();
        int ran = 0;
        while (ran < maxJobs) {
            Instant now = config.clock().instant();
            List<ClaimedJob> claimed = store.claim(new ClaimRequest(nodeId, now, now.plus(config.lease()),
                    List.of(tenant), 1, 1));
            if (claimed.isEmpty()) break;
            inlineRunner.run(claimed.get(0));
            ran++;
        }
        return ran;
    }

    /** Runs one chosen job on the calling thread if it is ready now; false when it is not. */
    public boolean runJob(TenantId tenant, JobId id) {
        if (!closed) governance.watchdog.start();
        Instant now = config.clock().instant();
        Optional<ClaimedJob> claimed = store.claimJob(tenant, id.uuid(), nodeId, now, now.plus(config.lease()));
        claimed.ifPresent(inlineRunner::run);
        return claimed.isPresent();
    }

    /** Reading and aborting jobs. */
    public Jobs jobs() {
        return jobs;
    }

    /** Tenant administration. */
    public Tenants tenants() {
        return tenants;
    }

    /** Cursor administration. */
    public Cursors cursors() {
        return cursors;
    }

    /** API keys of tenants (the server's REST API). */
    public dev.millrace.ApiKeys apiKeys() {
        return apiKeys;
    }

    /** Figures across tenants for dashboards and metrics. */
    public dev.millrace.Monitoring monitoring() {
        return monitoring;
    }

    private final class JobsView implements Jobs {
        @Override
        public Optional<JobRecord> find(TenantId tenant, JobId id) {
            return store.find(tenant, id);
        }

        @Override
        public JobPage find(JobQuery query) {
            policies.get(query.tenant());
            return store.find(query);
        }

        @Override
        public java.util.Map<dev.millrace.JobStatus, Long> countByStatus(JobQuery query) {
            policies.get(query.tenant());
            return store.countByStatus(query);
        }

        @Override
        public List<JobLogEntry> log(TenantId tenant, JobId id) {
            return store.log(tenant, id);
        }

        @Override
        public void abort(TenantId tenant, JobId id) {
            policies.get(tenant);
            AbortOutcome outcome = store.abort(tenant, id.uuid(), config.clock().instant());
            switch (outcome) {
                case ABORTED -> LOG.info("job {} of tenant {} aborted before it started", id, tenant);
                case REQUESTED -> runner.abort(id.uuid());
                case NOT_FOUND -> {
                    Optional<JobRecord> job = store.find(tenant, id);
                    throw new JobNotFoundException(job
                            .map(j -> "job " + id + " of tenant '" + tenant + "' cannot be aborted: it has already ended ("
                                    + j.status() + "); expected a job that has not ended")
                            .orElse("job " + id + " does not exist in tenant '" + tenant
                                    + "': expected the id of one of its jobs"));
                }
            }
        }
    }

    private final class TenantsView implements Tenants {
        @Override
        public TenantPolicy put(TenantId tenant, TenantPolicy policy) {
            tenantStore.put(Objects.requireNonNull(tenant, "tenant"), Objects.requireNonNull(policy, "policy"),
                    config.clock().instant());
            policies.invalidate(tenant);
            return policy;
        }

        @Override
        public TenantPolicy create(TenantId tenant) {
            TenantPolicy p = tenantStore.createIfAbsent(Objects.requireNonNull(tenant, "tenant"), TenantPolicy.DEFAULTS,
                    config.clock().instant());
            policies.invalidate(tenant);
            return p;
        }

        @Override
        public Optional<TenantPolicy> policy(TenantId tenant) {
            return tenantStore.policy(tenant);
        }

        @Override
        public List<TenantId> list() {
            return tenantStore.list();
        }
    }
}
