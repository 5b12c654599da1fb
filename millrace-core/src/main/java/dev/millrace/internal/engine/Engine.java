package dev.millrace.internal.engine;

import dev.millrace.AsyncException;
import dev.millrace.AsyncOptions;
import dev.millrace.cursor.Cursors;
import dev.millrace.step.StepWorkflow;
import dev.millrace.internal.cursor.CursorService;
import dev.millrace.flags.FeatureFlags;
import dev.millrace.SyncWork;
import dev.millrace.internal.flags.FlagService;
import dev.millrace.schedule.CronExpression;
import dev.millrace.schedule.Schedulable;
import dev.millrace.schedule.ScheduleId;
import dev.millrace.schedule.ScheduleNotFoundException;
import dev.millrace.schedule.ScheduleOptions;
import dev.millrace.schedule.ScheduleRecord;
import dev.millrace.schedule.ScheduleState;
import dev.millrace.schedule.Schedules;
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
import dev.millrace.batch.BatchError;
import dev.millrace.batch.BatchSource;
import dev.millrace.batch.Batchable;
import dev.millrace.batch.Batches;
import dev.millrace.internal.store.AbortOutcome;
import dev.millrace.internal.store.BatchStore;
import dev.millrace.internal.store.ClaimRequest;
import dev.millrace.internal.store.ClaimedJob;
import dev.millrace.internal.store.JobStore;
import dev.millrace.internal.store.NewJob;
import dev.millrace.internal.store.NewSchedule;
import dev.millrace.internal.store.ScheduleRow;
import dev.millrace.internal.store.ScheduleStore;
import dev.millrace.internal.store.TenantStore;
import dev.millrace.internal.event.EventBus;
import dev.millrace.internal.store.sql.PgListener;
import dev.millrace.internal.store.sql.SqlStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
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
    private final BatchStore batchStore;
    private final BatchAdmitter admitter;
    private final Batches batches = new BatchesView();
    private final EventBus events;
    private final EventDelivery eventDelivery;
    private final EventPruner eventPruner;
    private final PgListener eventListener;
    private final ScheduleStore scheduleStore;
    private final Scheduler scheduler;
    private final Schedules schedules = new SchedulesView();
    private final FairDispatch fair;
    private final FlowControl flowControl;
    private final GovernorService governor;
    private final dev.millrace.internal.fair.DailyQuota quota;
    private final DailyAllocationService quotaService;
    private final String nodeId;
    private final Jobs jobs = new JobsView();
    private final Tenants tenants = new TenantsView();
    private final Governance governance;
    private final FeatureFlags flags = new FlagsView();
    private final dev.millrace.apikey.ApiKeys apiKeys;
    private final dev.millrace.monitoring.Monitoring monitoring;
    private final EndedJobs ended = new EndedJobs();
    private volatile boolean started;
    private volatile boolean closed;

    private Engine(EngineConfig config, SqlStore sql, Registry registry) {
        this.config = config;
        this.sql = sql;
        this.store = sql.jobs();
        this.tenantStore = sql.tenants();
        this.nodeId = config.nodeId() != null ? config.nodeId() : defaultNodeId();
        this.policies = new TenantPolicies(tenantStore, config.clock());
        JobCodec codec = new JobCodec();
        this.quota = new dev.millrace.internal.fair.DailyQuota(sql.fair(), config.clock(), nodeId);
        Enqueuer enqueuer = new Enqueuer(registry, codec, policies, config.clock(), quota);
        this.quotaService = new DailyAllocationService(quota);
        this.cursors = new CursorService(sql.cursors(), config.clock(), config.applicationDataSources(), policies::get);
        this.governance = new Governance(new FlagService(sql.flags(), config.clock(), config.flagCacheTime(),
                config.flagBindings()));
        this.events = new EventBus(sql.events(), sql.dataSource(), policies::get, config.clock(), this.nodeId,
                config.lease(), config.pollInterval(), config.handlerClasses(), governance::http);
        this.core = new Core(store, sql.dataSource(), enqueuer, codec, registry, config.clock(), nodeId, this::wake,
                cursors, events, governance, (tenant, batch, scope) -> executeBatch(tenant, batch, scope, null), ended);
        this.completer = new Completer(store, ended);
        this.batchStore = sql.batches();
        var cuts = new java.util.concurrent.Semaphore(BatchRunner.cutsBesideChunks(config.workers()));
        this.runner = new JobRunner(core, policies, completer, batchStore, config.applicationDataSources(), cuts);
        this.inlineRunner = new JobRunner(core, policies, (c, job) -> {
            if (!store.complete(List.of(c)).isEmpty()) ended.ended(job, c.status(), c.completedAt());
        }, batchStore,
                config.applicationDataSources(), cuts);
        this.admitter = new BatchAdmitter(batchStore, policies, config.clock(), config.pollInterval(), this::wake,
                this::endOrphanedBatches);
        var tiers = new dev.millrace.internal.fair.Tiers();
        var governorState = new dev.millrace.internal.fair.Governor(config.governor(), config.workers());
        this.fair = new FairDispatch(policies, sql.fair(), tiers, governorState, config.workers(),
                config.clock());
        this.dispatcher = new Dispatcher(store, config.clock(), nodeId, config.workers(), config.claimBatchSize(),
                config.lease(), config.pollInterval(), runner, completer, fair, config.governor().sampleInterval());
        this.flowControl = new FlowControl(store, sql.fair(), policies, tiers, config.clock(), fair);
        this.governor = new GovernorService(config.sampler(), governorState, config.governor().sampleInterval(),
                dispatcher::wake, dispatcher::shed);
        this.heartbeat = new Heartbeat(store, config.clock(), nodeId, config.lease(), runner);
        this.rescuer = new Rescuer(store, config.clock(), config.maxAttempts(), config.lease(), this::wake,
                this::endOrphanedBatches, this::rescued);
        this.pruner = new Pruner(store, tenantStore, sql.fair(), sql.leaderLock(), config.clock(), config.pruneInterval());
        this.cursorPruner = new CursorPruner(sql.cursors(), sql.leaderLock(), config.clock(), config.pruneInterval());
        // Another node's enqueue names its tenants: this node claims for them at once, without reading the list first.
        this.listener = sql.supportsListenNotify() ? sql.listener(dispatcher::wakeFor, dispatcher::wake) : null;
        this.eventDelivery = new EventDelivery(events, config.clock(), config.pollInterval());
        this.eventPruner = new EventPruner(events, sql.leaderLock(), config.pruneInterval());
        this.eventListener = sql.supportsListenNotify() ? sql.eventListener(events::signal) : null;
        events.onSignal(this::wakeEvents);
        this.apiKeys = new ApiKeysImpl(sql.apiKeys(), policies, config.clock());
        this.monitoring = new MonitoringImpl(sql.stats(), tenantStore, rescuer::totals, ended);
        this.scheduleStore = sql.schedules();
        this.scheduler = new Scheduler(scheduleStore, enqueuer, codec, registry, config.clock(), config.pollInterval(),
                nodeId, config.lease(), dispatcher::runClaimedAt, this::wake);
    }

    /** Opens the store (migrating it) and wires a node; nothing runs until {@link #start()}. */
    public static Engine open(EngineConfig config) {
        // Bad registrations are refused before any database is opened or migrated.
        List<Class<?>> jobClasses = new ArrayList<>(config.jobClasses());
        jobClasses.add(StepWorkflow.class); // built in: every node can run step workflows
        Registry registry = new Registry(jobClasses, config.futureClasses());
        SqlStore sql = SqlStore.open(config.dataSource(), config.jdbcUrl(), config.user(), config.password(),
                // Two connections per worker: an execution that holds its own transaction may take a second one
                // (a cursor's pages are written and read outside it); six more for the background services.
                config.dataDir(), config.schema(), config.workers() * 2 + 6, config.migrate());
        try {
            return new Engine(config, sql, registry);
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
        // Before any service that changes a job's status: the rescuer's first pass runs at once, and its changes
        // are published only for the tenants known to subscribe.
        events.refreshSystemSubscribers();
        completer.start();
        heartbeat.start();
        rescuer.start();
        pruner.start();
        admitter.start();
        cursorPruner.start();
        if (listener != null) listener.start();
        if (eventListener != null) eventListener.start();
        eventDelivery.start();
        eventPruner.start();
        governance.watchdog.start();
        governor.start();
        flowControl.start();
        quota.inBackground(true);
        quotaService.start();
        dispatcher.start();
        scheduler.start();
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
            scheduler.stop();
            dispatcher.shutdown(config.shutdownTimeout());
            completer.stop();
            completer.flush();
            heartbeat.stop();
            governor.stop();
            flowControl.stop();
            quotaService.stop();
            rescuer.stop();
            pruner.stop();
            admitter.stop();
            cursorPruner.stop();
            LOG.info("Millrace node {} stopped", nodeId);
        }
        governance.watchdog.stop();
        governance.close();
        quota.flush();
        sql.close();
    }

    private void wakeEvents() {
        if (started && !closed) eventDelivery.wake();
    }

    /** The event bus. */
    public dev.millrace.event.Events events() {
        return events;
    }

    /** The node's status: governor and fair usage. */
    public dev.millrace.monitoring.NodeStatus status() {
        var g = fair.governor().snapshot();
        return new dev.millrace.monitoring.NodeStatus(nodeId, config.workers(), dispatcher.inFlight(), g.state(), g.reason(),
                g.allowed(), g.last(), fair.status());
    }

    /** This node's lanes: started jobs, worker time, deferrals, tier. */
    public List<dev.millrace.fair.FairShare> fairShares() {
        return fair.shares();
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
            if (current instanceof ScheduleContextImpl s) return s.enqueue(job, options);
            if (current instanceof BatchContextImpl b) return b.enqueue(job, options);
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
        // One call, one moment: every job of it has the same created time (and, with no delay, the same run time).
        java.time.Instant now = config.clock().instant();
        List<NewJob> batch = core.enqueuer().queueables(tenant, queueables, options, now);
        // All or none, and counted once for the whole call once every job passed its checks.
        if (!batch.isEmpty()) quota.accept(tenant, policies.get(tenant, now).dailyAsyncExecutions(), batch.size(), now);
        insert(null, batch);
        JobId[] ids = new JobId[batch.size()];
        for (int k = 0; k < ids.length; k++) ids[k] = JobId.of(batch.get(k).id());
        return List.of(ids);
    }

    private void insert(Connection connection, List<NewJob> batch) {
        if (batch.isEmpty()) return;
        try {
            if (connection == null && batch.size() == 1 && insertClaimedIfIdle(batch.get(0))) return;
            if (governance.flags.gates(batch)) insertGated(connection, batch);
            else if (connection == null) store.insert(batch);
            else store.insert(connection, batch);
        } catch (RuntimeException e) {
            quota.refund(batch.get(0).tenant(), batch.size());
            throw e;
        }
        afterInsert(batch.get(0));
    }

    /**
     * Same-node fast path: when this started node has a worker for the job (an idle one, or the next free one for a
     * lane with nothing waiting here: {@link Dispatcher#reserveWorker}), the job is ready now, its lane is not capped
     * or lowered and no flag can hold it, it is inserted already claimed by this node and handed to the workers after
     * the commit, saving the wake-up and the claim. A crash before it starts leaves a running row whose lease expires
     * and is rescued, as for any claimed job. Never for the caller's transaction: nothing may start before it commits.
     */
    private boolean insertClaimedIfIdle(NewJob job) {
        if (!started || closed || job.runAt().isAfter(job.createdAt())) return false;
        if (governance.flags.gates(List.of(job)) || !fair.mayStartAtOnce(job.tenant(), job.type())) return false;
        if (!dispatcher.reserveWorker(job.tenant(), job.type())) return false;
        ClaimedJob claimed;
        try {
            claimed = store.insertClaimed(job, nodeId, config.clock().instant().plus(config.lease()));
        } catch (RuntimeException e) {
            dispatcher.cancelReservation();
            throw e;
        }
        dispatcher.startReserved(claimed);
        return true;
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
            // In an event handler's delivery the switch is the handler's: audited as the identity it runs as (EVT-9).
            String runAs = events.runningAs();
            return set(tenant, name, enabled, runAs != null ? runAs : DEFAULT_CHANGED_BY);
        }

        @Override
        public int set(TenantId tenant, String name, boolean enabled, String changedBy) {
            FlagService.checkName(name);
            FlagService.checkChangedBy(changedBy);
            policies.get(Objects.requireNonNull(tenant, "tenant"));
            var done = governance.flags.set(tenant, name, enabled, changedBy);
            int moved = done.moved();
            if (enabled && moved > 0) wake();
            // After the commit, so a subscriber never hears of a switch that rolled back.
            if (done.change() != null) events.flagChanged(done.change());
            LOG.info("flag {} of tenant {} switched {} by {} ({} jobs {})", name, tenant, enabled ? "on" : "off",
                    changedBy, moved, enabled ? "released" : "held");
            return moved;
        }

        @Override
        public java.util.List<dev.millrace.flags.FlagChange> history(TenantId tenant, String name) {
            FlagService.checkName(name);
            policies.get(Objects.requireNonNull(tenant, "tenant"));
            return governance.flags.history(tenant, name);
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

    // ---- batches

    /** Submits a batch; see {@code Millrace.executeBatch}. */
    public JobId executeBatch(TenantId tenant, Batchable<?> batch, int scope, Duration delay) {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(batch, "batch");
        BaseContext current = Executions.currentContext();
        if (current instanceof BatchContextImpl b && b.core == core && !b.allowsBatchSubmit()) {
            throw new dev.millrace.AsyncException("a batch cannot be started from the " + b.phase()
                    + " phase of batch " + b.batchJobId() + ": expected to start it from finish, a queueable or a schedule");
        }
        checkScope(batch, scope);
        TenantPolicy policy = policies.get(tenant);
        Instant runAt = delay == null ? null : config.clock().instant().plus(delay);
        boolean inJob = current != null && current.core == core;
        SyncExecution sync = inJob ? null : SyncExecution.current(core);
        NewJob job = core.enqueuer().batch(tenant, batch, runAt, inJob ? current.job.id() : null);
        if (inJob || sync != null) {
            // Inside an execution the batch rides its transaction: it exists only if the execution commits. The
            // submission (and the tenant's flex-queue lock it takes) is written just before that commit, so the
            // lock is not held while user code runs; a full flex queue is refused here already when it is full now.
            if (inJob) current.checkSameTenant(tenant);
            else sync.checkTenant(tenant);
            checkFlexQueueRoom(tenant, policy, runAt);
            ExecutionResources.BeforeCommit submit = c -> batchStore.submit(c, job, scope, runAt,
                    policy.maxActiveBatches(), policy.flexQueueCapacity());
            if (inJob) current.resources.beforeCommit(submit);
            else sync.beforeCommit(submit);
            return JobId.of(job.id());
        }
        BatchStore.Admission where = batchStore.submit(job, scope, runAt, policy.maxActiveBatches(),
                policy.flexQueueCapacity());
        if (where == BatchStore.Admission.QUEUED) afterInsert(job);
        return JobId.of(job.id());
    }

    /**
     * Refuses, without the tenant's lock, a batch that would find the flex queue full now; the submission at the
     * execution's commit checks again under the lock.
     */
    private void checkFlexQueueRoom(TenantId tenant, TenantPolicy policy, Instant runAt) {
        if (runAt != null) return;
        long holding = batchStore.holdingCount(tenant);
        if (holding >= policy.flexQueueCapacity()) {
            throw new dev.millrace.limits.LimitException("exceeded the limit of " + policy.flexQueueCapacity()
                    + " jobs in the flex queue: tenant '" + tenant + "' has " + holding + " holding (policy"
                    + " flexQueueCapacity); nothing was submitted");
        }
    }

    /** Schedules a batch once, minutes from now; see {@code Millrace.scheduleBatch}. */
    public ScheduleId scheduleBatch(TenantId tenant, String name, Batchable<?> batch, int minutes, int scope) {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(batch, "batch");
        if (minutes < 1) {
            throw new IllegalArgumentException("minutes " + minutes + " is out of range: expected at least 1");
        }
        checkScope(batch, scope);
        core.registry().checkJob(batch);
        // One fire time, in UTC to the second, with its year: the schedule has no fire time after it and completes.
        java.time.ZonedDateTime at = config.clock().instant().plus(Duration.ofMinutes(minutes))
                .atZone(java.time.ZoneOffset.UTC);
        String cron = at.getSecond() + " " + at.getMinute() + " " + at.getHour() + " " + at.getDayOfMonth() + " "
                + at.getMonthValue() + " ? " + at.getYear();
        BatchLauncher launcher = new BatchLauncher(batch.getClass().getName(), core.codec().write(batch, "batch"), scope);
        return schedule(tenant, name, cron, launcher, java.time.ZoneOffset.UTC, ScheduleOptions.defaults());
    }

    /** Refuses a scope out of range: below 1 always, above the query maximum when start declares a query. */
    private static void checkScope(Batchable<?> batch, int scope) {
        boolean query = false;
        try {
            query = BatchSource.Query.class.isAssignableFrom(
                    batch.getClass().getMethod("start", dev.millrace.batch.BatchContext.class).getReturnType());
        } catch (NoSuchMethodException e) {
            // every Batchable has start(BatchContext)
        }
        int max = BatchSource.MAX_QUERY_SCOPE;
        if (scope < 1 || (query && scope > max)) {
            throw new IllegalArgumentException("scope " + scope + " is out of range: expected 1 to " + max
                    + " for a query source" + (query ? "" : " (at least 1 for an iterable)"));
        }
        int parallel = batch.maxParallelChunks();
        if (parallel < 1 || parallel > BatchSource.MAX_PARALLEL_CHUNKS) {
            throw new IllegalArgumentException("maxParallelChunks " + parallel + " of batch " + batch.getClass().getName()
                    + " is out of range: expected 1 to " + BatchSource.MAX_PARALLEL_CHUNKS);
        }
        if (parallel > 1 && batch instanceof dev.millrace.batch.Stateful) {
            throw new IllegalArgumentException("batch " + batch.getClass().getName() + " is Stateful and asks for "
                    + parallel + " parallel chunks: expected 1 (a stateful batch's chunks run one after another)");
        }
    }

    /** Batch chunks, errors and the flex queue. */
    public Batches batches() {
        return batches;
    }

    private final class BatchesView implements Batches {
        @Override
        public List<JobRecord> chunks(TenantId tenant, JobId batch) {
            return batchStore.chunks(tenant, batch.uuid());
        }

        @Override
        public List<BatchError> errors(TenantId tenant, JobId batch) {
            return batchStore.errors(tenant, batch.uuid());
        }

        @Override
        public List<JobId> flexQueue(TenantId tenant) {
            policies.get(tenant);
            return batchStore.flexQueue(tenant);
        }

        @Override
        public boolean moveTo(TenantId tenant, JobId batch, int position) {
            if (position < 0) {
                throw new IllegalArgumentException("flex queue position " + position + " is out of range: expected 0"
                        + " (the front) or more");
            }
            policies.get(tenant);
            return batchStore.moveTo(tenant, batch.uuid(), position);
        }

        @Override
        public boolean moveBefore(TenantId tenant, JobId batch, JobId other) {
            policies.get(tenant);
            return batchStore.moveNextTo(tenant, batch.uuid(), other.uuid(), false);
        }

        @Override
        public boolean moveAfter(TenantId tenant, JobId batch, JobId other) {
            policies.get(tenant);
            return batchStore.moveNextTo(tenant, batch.uuid(), other.uuid(), true);
        }
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
    public dev.millrace.apikey.ApiKeys apiKeys() {
        return apiKeys;
    }

    /** Figures across tenants for dashboards and metrics. */
    public dev.millrace.monitoring.Monitoring monitoring() {
        return monitoring;
    }

    // ---- schedules

    /** Creates a schedule; see {@code Millrace.schedule}. */
    public ScheduleId schedule(TenantId tenant, String name, String cron, Schedulable schedulable, ZoneId zone,
                               ScheduleOptions options) {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(schedulable, "schedulable");
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(options, "options");
        if (name == null || name.isBlank() || name.length() > SCHEDULE_NAME_MAX) {
            throw new IllegalArgumentException("schedule name '" + name + "' is invalid: expected 1 to "
                    + SCHEDULE_NAME_MAX + " characters, not all blank");
        }
        TenantPolicy policy = policies.get(tenant);
        CronExpression expression = parseCron(name, cron);
        checkInterval(tenant, name, expression, policy);
        core.registry().checkJob(schedulable);
        Instant now = config.clock().instant();
        Instant first = firstFireTime(name, expression, zone, now);
        String payload = core.codec().write(schedulable, "schedulable");
        UUID id = core.enqueuer().nextId();
        var outcome = scheduleStore.insert(new NewSchedule(id, tenant, name, cron, zone.getId(),
                schedulable.getClass().getName(), payload, options.misfirePolicy(), options.allowOverlap(), first, now),
                policy.maxSchedules());
        switch (outcome) {
            case DUPLICATE_NAME -> throw new AsyncException("the job named '" + name
                    + "' is already scheduled for execution: tenant '" + tenant + "' has a schedule with that name;"
                    + " expected a name unique within the tenant");
            case QUOTA_FULL -> throw new AsyncException("tenant '" + tenant + "' already has " + policy.maxSchedules()
                    + " schedules, the most its policy allows (maxSchedules " + policy.maxSchedules()
                    + "): expected fewer before scheduling '" + name + "'; delete one first");
            case INSERTED -> LOG.info("schedule {} ({}) of tenant {} created: '{}' in {}, first fire at {}", name, id,
                    tenant, cron, zone, first);
        }
        if (started && !closed) scheduler.wake();
        return ScheduleId.of(id);
    }

    /** Fires, on the calling thread, every schedule due now; for tests and tools. Returns how many were claimed. */
    public int fireDueSchedules() {
        return scheduler.runOnce(java.time.Duration.ZERO);
    }

    /** Schedule administration. */
    public Schedules schedules() {
        return schedules;
    }

    /** The most characters of a schedule name (SPEC SCH-10). */
    static final int SCHEDULE_NAME_MAX = 255;

    /** Rejects an expression that would fire more often than the tenant's policy allows (SPEC SCH-6). */
    private static void checkInterval(TenantId tenant, String name, CronExpression expression, TenantPolicy policy) {
        long shortest = expression.shortestInterval().toSeconds();
        if (shortest < policy.minScheduleIntervalSeconds()) {
            throw new IllegalArgumentException("cron expression '" + expression + "' of schedule '" + name
                    + "' fires as often as every " + shortest + " s: tenant '" + tenant + "' allows at least "
                    + policy.minScheduleIntervalSeconds() + " s between fire times (minScheduleIntervalSeconds);"
                    + " expected an expression that fires less often");
        }
    }

    private static CronExpression parseCron(String name, String cron) {
        Objects.requireNonNull(cron, "cron");
        try {
            return CronExpression.parse(cron);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cron expression of schedule '" + name + "' is invalid: "
                    + e.getMessage(), e);
        }
    }

    private static Instant firstFireTime(String name, CronExpression cron, ZoneId zone, Instant now) {
        return cron.nextFireTime(zone, now).map(ZonedDateTime::toInstant).orElseThrow(() ->
                new IllegalArgumentException("cron expression '" + cron + "' of schedule '" + name
                        + "' has no fire time after " + now + " in " + zone
                        + ": expected an expression that fires in the future"));
    }

    private final class SchedulesView implements Schedules {
        @Override
        public Optional<ScheduleRecord> find(TenantId tenant, ScheduleId id) {
            return scheduleStore.find(tenant, id.uuid()).map(Engine.this::scheduleRecord);
        }

        @Override
        public Optional<ScheduleRecord> findByName(TenantId tenant, String name) {
            return scheduleStore.findByName(tenant, name).map(Engine.this::scheduleRecord);
        }

        @Override
        public List<ScheduleRecord> list(TenantId tenant) {
            policies.get(tenant);
            return scheduleStore.list(tenant).stream().map(Engine.this::scheduleRecord).toList();
        }

        @Override
        public ScheduleRecord pause(TenantId tenant, ScheduleId id) {
            row(tenant, id);
            scheduleStore.pause(tenant, id.uuid(), config.clock().instant());
            return find(tenant, id).orElseThrow(() -> notFound(tenant, id));
        }

        @Override
        public ScheduleRecord resume(TenantId tenant, ScheduleId id) {
            ScheduleRow row = row(tenant, id);
            if (ScheduleRow.PAUSED.equals(row.state())) {
                Instant now = config.clock().instant();
                Instant next = CronExpression.parse(row.cron()).nextFireTime(ZoneId.of(row.zone()), now)
                        .map(ZonedDateTime::toInstant).orElse(null);
                scheduleStore.resume(tenant, id.uuid(), next, now);
                if (started && !closed) scheduler.wake();
            }
            return find(tenant, id).orElseThrow(() -> notFound(tenant, id));
        }

        @Override
        public ScheduleRecord changeCron(TenantId tenant, ScheduleId id, String cron) {
            ScheduleRow row = row(tenant, id);
            CronExpression expression = parseCron(row.name(), cron);
            checkInterval(tenant, row.name(), expression, policies.get(tenant));
            Instant now = config.clock().instant();
            Instant next = firstFireTime(row.name(), expression, ZoneId.of(row.zone()), now);
            boolean paused = ScheduleRow.PAUSED.equals(row.state());
            scheduleStore.changeCron(tenant, id.uuid(), cron, paused ? ScheduleRow.PAUSED : ScheduleRow.ACTIVE,
                    paused ? null : next, now);
            LOG.info("schedule {} ({}) of tenant {}: cron changed from '{}' to '{}'", row.name(), id, tenant, row.cron(),
                    cron);
            if (started && !closed) scheduler.wake();
            return find(tenant, id).orElseThrow(() -> notFound(tenant, id));
        }

        @Override
        public void delete(TenantId tenant, ScheduleId id) {
            if (!scheduleStore.delete(tenant, id.uuid())) throw notFound(tenant, id);
        }

        @Override
        public JobId runNow(TenantId tenant, ScheduleId id) {
            ScheduleRow row = row(tenant, id);
            Instant now = config.clock().instant();
            NewJob job = core.enqueuer().scheduled(tenant, row.id(), row.className(), row.payload(), now, now);
            insert(null, List.of(job));
            return JobId.of(job.id());
        }

        @Override
        public List<Instant> nextFireTimes(TenantId tenant, ScheduleId id, int n) {
            if (n < 0) throw new IllegalArgumentException("n " + n + " is out of range: expected 0 or more");
            ScheduleRow row = row(tenant, id);
            if (row.nextFireAt() == null) return List.of();
            List<Instant> out = new ArrayList<>(Math.min(n, 1024));
            if (n > 0) out.add(row.nextFireAt());
            CronExpression cron = CronExpression.parse(row.cron());
            cron.nextFireTimes(ZoneId.of(row.zone()), row.nextFireAt(), n - out.size())
                    .forEach(t -> out.add(t.toInstant()));
            return List.copyOf(out);
        }

        private ScheduleRow row(TenantId tenant, ScheduleId id) {
            Objects.requireNonNull(tenant, "tenant");
            Objects.requireNonNull(id, "schedule id");
            return scheduleStore.find(tenant, id.uuid()).orElseThrow(() -> notFound(tenant, id));
        }
    }

    private static ScheduleNotFoundException notFound(TenantId tenant, ScheduleId id) {
        return new ScheduleNotFoundException("schedule " + id + " does not exist in tenant '" + tenant
                + "': expected the id of one of its schedules");
    }

    private ScheduleRecord scheduleRecord(ScheduleRow r) {
        ScheduleState state = switch (r.state()) {
            case ScheduleRow.PAUSED -> ScheduleState.PAUSED;
            case ScheduleRow.COMPLETED -> ScheduleState.COMPLETED;
            default -> r.lastJobActive() ? ScheduleState.EXECUTING : ScheduleState.WAITING;
        };
        return new ScheduleRecord(ScheduleId.of(r.id()), r.tenant(), r.name(), r.cron(), ZoneId.of(r.zone()),
                scheduledClass(r), state, r.misfirePolicy(), r.allowOverlap(), r.nextFireAt(), r.lastFireAt(),
                r.lastJobId() == null ? null : JobId.of(r.lastJobId()), r.fireCount(), r.skipCount(), r.lastError(),
                r.createdAt());
    }

    /** The class a schedule runs as users know it: for {@code scheduleBatch}, the batch's, not the launcher's. */
    private String scheduledClass(ScheduleRow r) {
        if (!BatchLauncher.class.getName().equals(r.className())) return r.className();
        try {
            String batchClass = core.codec().mapper().readTree(r.payload()).path("batchClass").asText(null);
            return batchClass == null ? r.className() : batchClass;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return r.className();
        }
    }

    /** Ends what is left of batches ended outside their runner; the chunks it aborts are this node's ends. */
    private void endOrphanedBatches() {
        for (var chunks : batchStore.endOrphaned(config.clock().instant())) ended.ended(chunks);
    }

    /** Job status events for jobs a rescue pass moved; the ones it ended are this node's ends. */
    private void rescued(dev.millrace.internal.store.RescueResult r) {
        for (var j : r.jobs()) {
            if (j.endedAt() != null) ended.ended(j.tenant(), j.type(), j.status(), j.runAt(), j.startedAt(), j.endedAt());
            events.jobStatusChanged(j.tenant(), j.id(), j.type().name(), dev.millrace.JobStatus.PROCESSING.name(),
                    j.status().name());
        }
    }

    /** The job status event of a job aborted before it ran, naming the status it left. */
    private void abortedBeforeStart(TenantId tenant, JobRecord job) {
        events.jobStatusChanged(tenant, job.id().uuid(), job.type().name(), job.status().name(),
                dev.millrace.JobStatus.ABORTED.name());
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
            TenantPolicy policy = policies.get(tenant);
            // Read before the abort only when someone listens: the job status event names the status it left.
            Optional<JobRecord> before = events.publishesJobStatus(tenant) ? store.find(tenant, id) : Optional.empty();
            Instant now = config.clock().instant();
            if (batchStore.abortWaiting(tenant, id.uuid(), now)) {
                LOG.info("batch {} of tenant {} aborted in the flex queue", id, tenant);
                ended.ended(tenant, dev.millrace.JobType.BATCH, dev.millrace.JobStatus.ABORTED, null, null, now);
                before.ifPresent(j -> abortedBeforeStart(tenant, j));
                return;
            }
            AbortOutcome outcome = store.abort(tenant, id.uuid(), now);
            switch (outcome) {
                case ABORTED -> {
                    LOG.info("job {} of tenant {} aborted before it started", id, tenant);
                    before.ifPresent(j -> abortedBeforeStart(tenant, j));
                    Optional<JobRecord> after = store.find(tenant, id);
                    // Never started: an end without wait or run time.
                    after.ifPresent(j -> ended.ended(tenant, j.type(), dev.millrace.JobStatus.ABORTED, null, null, now));
                    // A batch re-queued after its node died has chunks cut already: they end with it.
                    if (after.filter(j -> j.type() == dev.millrace.JobType.BATCH).isPresent()) {
                        endOrphanedBatches();
                    }
                    // If it was a queued batch, its slot is free now.
                    if (!batchStore.admit(tenant, policy.maxActiveBatches(), config.clock().instant()).isEmpty()) wake();
                }
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
            return policies.put(Objects.requireNonNull(tenant, "tenant"), Objects.requireNonNull(policy, "policy"));
        }

        @Override
        public TenantPolicy create(TenantId tenant) {
            TenantPolicy p = tenantStore.createIfAbsent(Objects.requireNonNull(tenant, "tenant"), TenantPolicy.DEFAULTS,
                    config.clock().instant());
            policies.forget(tenant);
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

        @Override
        public dev.millrace.TenantUsage usage(TenantId tenant) {
            if (tenantStore.policy(Objects.requireNonNull(tenant, "tenant")).isEmpty()) {
                throw new dev.millrace.UnknownTenantException("tenant '" + tenant
                        + "' does not exist: expected a tenant created with tenants().create");
            }
            int schedules = (int) scheduleStore.list(tenant).stream()
                    .filter(s -> !ScheduleRow.COMPLETED.equals(s.state())).count();
            int subscriptions = (int) events.subscriptions(tenant).stream()
                    .map(dev.millrace.event.SubscriptionStatus::subscription).distinct().count();
            return new dev.millrace.TenantUsage(tenant, quota.used(tenant), schedules, batchStore.activeBatches(tenant),
                    batchStore.flexQueue(tenant).size(), events.channels(tenant).size(), subscriptions,
                    events.externalDeliveries(tenant));
        }
    }
}
