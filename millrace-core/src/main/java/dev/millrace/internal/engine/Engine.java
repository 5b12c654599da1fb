package dev.millrace.internal.engine;

import dev.millrace.AsyncOptions;
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
    private final PgListener listener;
    private final FairDispatch fair;
    private final FlowControl flowControl;
    private final GovernorService governor;
    private final dev.millrace.internal.fair.DailyQuota quota;
    private final DailyAllocationService quotaService;
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
        Registry registry = new Registry(config.jobClasses(), config.futureClasses());
        JobCodec codec = new JobCodec();
        this.quota = new dev.millrace.internal.fair.DailyQuota(sql.fair(), config.clock(), nodeId);
        Enqueuer enqueuer = new Enqueuer(registry, codec, policies, config.clock(), quota);
        this.quotaService = new DailyAllocationService(quota);
        this.core = new Core(store, sql.dataSource(), enqueuer, codec, registry, config.clock(), nodeId, this::wake);
        this.completer = new Completer(store);
        this.runner = new JobRunner(core, policies, completer);
        this.inlineRunner = new JobRunner(core, policies, c -> store.complete(List.of(c)));
        var tiers = new dev.millrace.internal.fair.Tiers();
        var governorState = new dev.millrace.internal.fair.Governor(config.governor(), config.workers());
        this.fair = new FairDispatch(policies, sql.fair(), tiers, governorState, config.workers(),
                config.clock());
        this.dispatcher = new Dispatcher(store, config.clock(), nodeId, config.workers(), config.claimBatchSize(),
                config.lease(), config.pollInterval(), runner, fair, config.governor().sampleInterval());
        this.flowControl = new FlowControl(store, sql.fair(), policies, tiers, config.clock(), fair);
        this.governor = new GovernorService(config.sampler(), governorState, config.governor().sampleInterval(),
                dispatcher::wake, dispatcher::shed);
        this.heartbeat = new Heartbeat(store, config.clock(), nodeId, config.lease(), runner);
        this.rescuer = new Rescuer(store, config.clock(), config.maxAttempts(), config.lease(), this::wake);
        this.pruner = new Pruner(store, tenantStore, sql.leaderLock(), config.clock(), config.pruneInterval());
        this.listener = sql.supportsListenNotify() ? sql.listener(dispatcher::wake) : null;
    }

    /** Opens the store (migrating it) and wires a node; nothing runs until {@link #start()}. */
    public static Engine open(EngineConfig config) {
        SqlStore sql = SqlStore.open(config.dataSource(), config.jdbcUrl(), config.user(), config.password(),
                config.dataDir(), config.schema(), config.workers() + 6, config.migrate());
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
        if (listener != null) listener.start();
        governor.start();
        flowControl.start();
        quota.inBackground(true);
        quotaService.start();
        dispatcher.start();
        LOG.info("Millrace node {} started on {} with {} workers", nodeId, sql, config.workers());
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        if (started) {
            if (listener != null) listener.close();
            dispatcher.shutdown(config.shutdownTimeout());
            completer.stop();
            completer.flush();
            heartbeat.stop();
            governor.stop();
            flowControl.stop();
            quotaService.stop();
            rescuer.stop();
            pruner.stop();
            LOG.info("Millrace node {} stopped", nodeId);
        }
        quota.flush();
        sql.close();
    }

    /** The node's status: governor and fair usage. */
    public dev.millrace.NodeStatus status() {
        var g = fair.governor().snapshot();
        return new dev.millrace.NodeStatus(nodeId, config.workers(), dispatcher.inFlight(), g.state(), g.reason(),
                g.allowed(), g.last(), fair.status());
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
        try {
            for (Queueable q : queueables) batch.add(core.enqueuer().queueable(tenant, q, options, Enqueuer.Lineage.ROOT));
        } catch (RuntimeException e) {
            // All or none: the jobs accepted before the refusal are not written, so they use none of the allocation.
            quota.refund(tenant, batch.size());
            throw e;
        }
        insert(null, batch);
        return batch.stream().map(j -> JobId.of(j.id())).toList();
    }

    private void insert(Connection connection, List<NewJob> batch) {
        if (batch.isEmpty()) return;
        try {
            if (connection == null) store.insert(batch);
            else store.insert(connection, batch);
        } catch (RuntimeException e) {
            quota.refund(batch.get(0).tenant(), batch.size());
            throw e;
        }
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

    /** Reading and aborting jobs. */
    public Jobs jobs() {
        return jobs;
    }

    /** Tenant administration. */
    public Tenants tenants() {
        return tenants;
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
