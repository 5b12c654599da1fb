package dev.millrace.internal.engine;

import dev.millrace.AsyncOptions;
import dev.millrace.Cursors;
import dev.millrace.StepWorkflow;
import dev.millrace.internal.cursor.CursorService;
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
import dev.millrace.BatchError;
import dev.millrace.BatchSource;
import dev.millrace.Batchable;
import dev.millrace.Batches;
import dev.millrace.internal.store.AbortOutcome;
import dev.millrace.internal.store.BatchStore;
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
import java.time.Duration;
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
    private final BatchStore batchStore;
    private final BatchAdmitter admitter;
    private final Batches batches = new BatchesView();
    private final EventBus events;
    private final EventDelivery eventDelivery;
    private final EventPruner eventPruner;
    private final PgListener eventListener;
    private final String nodeId;
    private final Jobs jobs = new JobsView();
    private final Tenants tenants = new TenantsView();
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
        this.core = new Core(store, sql.dataSource(), enqueuer, codec, registry, config.clock(), nodeId, this::wake,
                cursors, events);
        this.completer = new Completer(store);
        this.batchStore = sql.batches();
        this.runner = new JobRunner(core, policies, completer, batchStore, config.applicationDataSources());
        this.inlineRunner = new JobRunner(core, policies, c -> store.complete(List.of(c)), batchStore,
                config.applicationDataSources());
        this.admitter = new BatchAdmitter(batchStore, policies, config.clock(), config.pollInterval(), this::wake);
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
        admitter.start();
        cursorPruner.start();
        if (listener != null) listener.start();
        if (eventListener != null) eventListener.start();
        events.refreshSystemSubscribers();
        eventDelivery.start();
        eventPruner.start();
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
            admitter.stop();
            cursorPruner.stop();
            LOG.info("Millrace node {} stopped", nodeId);
        }
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
        if (connection == null && current != null && current.core == core) {
            // Inside a running job, enqueue means chaining: in the job's transaction, within its allowance.
            current.checkSameTenant(tenant);
            if (current instanceof FinalizerContextImpl f) return f.enqueue(job, options);
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
        if (Executions.currentContext() != null && Executions.currentContext().core == core) {
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
        if (connection == null) store.insert(batch);
        else store.insert(connection, batch);
        afterInsert(batch.get(0));
    }

    /** Runs ready jobs of one tenant on the calling thread, for tests and tools. */
    public int runReadyJobs(TenantId tenant, int maxJobs) {
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
        NewJob job = core.enqueuer().batch(tenant, batch, runAt, current != null && current.core == core ? current.job.id() : null);
        BatchStore.Admission where = batchStore.submit(job, scope, runAt, policy.maxActiveBatches(),
                policy.flexQueueCapacity());
        if (where == BatchStore.Admission.QUEUED) afterInsert(job);
        return JobId.of(job.id());
    }

    /** Refuses a scope out of range: below 1 always, above the query maximum when start declares a query. */
    private static void checkScope(Batchable<?> batch, int scope) {
        boolean query = false;
        try {
            query = BatchSource.Query.class.isAssignableFrom(
                    batch.getClass().getMethod("start", dev.millrace.BatchContext.class).getReturnType());
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
        if (parallel > 1 && batch instanceof dev.millrace.Stateful) {
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
            if (batchStore.abortWaiting(tenant, id.uuid(), config.clock().instant())) {
                LOG.info("batch {} of tenant {} aborted in the flex queue", id, tenant);
                return;
            }
            AbortOutcome outcome = store.abort(tenant, id.uuid(), config.clock().instant());
            switch (outcome) {
                case ABORTED -> {
                    LOG.info("job {} of tenant {} aborted before it started", id, tenant);
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
