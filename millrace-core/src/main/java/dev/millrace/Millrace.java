package dev.millrace;

import dev.millrace.apikey.ApiKeys;
import dev.millrace.batch.BatchSource;
import dev.millrace.batch.Batchable;
import dev.millrace.batch.Batches;
import dev.millrace.cursor.Cursors;
import dev.millrace.fair.FairShare;
import dev.millrace.fair.GovernorSettings;
import dev.millrace.fair.ResourceSampler;
import dev.millrace.flags.FeatureFlags;
import dev.millrace.internal.engine.Engine;
import dev.millrace.internal.engine.EngineConfig;
import dev.millrace.limits.LimitException;
import dev.millrace.monitoring.Monitoring;
import dev.millrace.monitoring.NodeStatus;
import dev.millrace.schedule.CronExpression;
import dev.millrace.schedule.Schedulable;
import dev.millrace.schedule.ScheduleId;
import dev.millrace.schedule.ScheduleOptions;
import dev.millrace.schedule.ScheduleState;
import dev.millrace.schedule.Schedules;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.InstantSource;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * A Millrace node and its client: enqueue work for tenants, read and abort jobs, schedule work, administer tenants,
 * and (after {@link #start()}) run jobs on a pool of workers.
 *
 * <pre>{@code
 * try (Millrace millrace = Millrace.builder()          // embedded H2 file under ./millrace-data
 *         .register(SendInvoice.class)
 *         .build()
 *         .start()) {
 *     millrace.tenants().create(TenantId.of("acme"));
 *     JobId id = millrace.enqueue(TenantId.of("acme"), new SendInvoice(42));
 * }
 * }</pre>
 *
 * <p>A node that is not started is a client: it enqueues and queries but runs nothing. Many nodes may share
 * one PostgreSQL database.
 */
public final class Millrace implements AutoCloseable {
    private final Engine engine;
    private final List<Class<? extends dev.millrace.event.EventHandler>> handlers;

    private Millrace(Engine engine, List<Class<? extends dev.millrace.event.EventHandler>> handlers) {
        this.engine = engine;
        this.handlers = handlers;
    }

    /** A builder with every default in place: embedded H2 file store under {@value Builder#DEFAULT_DATA_DIR}. */
    public static Builder builder() {
        return new Builder();
    }

    /** Starts the node's workers and background services. Idempotent. */
    public Millrace start() {
        engine.start();
        return this;
    }

    /**
     * Stops claiming, lets running jobs finish within the shutdown timeout, releases jobs claimed but not
     * started, and closes the pool it opened. Idempotent.
     */
    @Override
    public void close() {
        engine.close();
    }

    /** This node's id, stamped on the jobs it runs. */
    public String nodeId() {
        return engine.nodeId();
    }

    /**
     * Enqueues a queueable for a tenant and returns its id at once; the job is a durable row before this
     * returns. Called from inside a running job, this chains a child of that job instead.
     *
     * @throws UnknownTenantException when the tenant does not exist
     * @throws UnknownJobTypeException when the job's class is not registered
     * @throws SerializationException when the job's state cannot be stored, naming the field
     * @throws LimitException when the tenant's daily async execution allocation is used up, saying when it frees up
     */
    public JobId enqueue(TenantId tenant, Queueable job) {
        return engine.enqueue(null, tenant, job, AsyncOptions.none());
    }

    /**
     * Enqueues a queueable with options: a delay, a duplicate signature, a maximum chain depth.
     *
     * @throws DuplicateJobException when an active job of the tenant has the same duplicate signature
     * @throws IllegalArgumentException when the delay is outside the tenant's bounds
     * @throws MaxStackDepthException when the chain would exceed its maximum depth
     */
    public JobId enqueue(TenantId tenant, Queueable job, AsyncOptions options) {
        return engine.enqueue(null, tenant, job, options);
    }

    /**
     * Enqueues in the caller's JDBC transaction: the job exists only if the caller commits. The connection
     * must reach the Millrace database; the caller commits or rolls back.
     */
    public JobId enqueue(Connection connection, TenantId tenant, Queueable job, AsyncOptions options) {
        return engine.enqueue(Objects.requireNonNull(connection, "connection"), tenant, job, options);
    }

    /**
     * Enqueues a call of a static method marked {@link Future} with simple arguments, copied by value now.
     * Unlike Salesforce, a future has a job id and appears in the job table.
     *
     * @param type the registered class that declares the method
     * @param method the method's name
     * @param args the arguments, simple values only
     * @throws IllegalArgumentException when an argument is not a simple value, naming the parameter
     * @throws AsyncException when called from inside a future
     */
    public JobId enqueueFuture(TenantId tenant, Class<?> type, String method, Object... args) {
        return engine.enqueueFuture(null, tenant, type, method, args);
    }

    /** Enqueues a future in the caller's JDBC transaction. */
    public JobId enqueueFuture(Connection connection, TenantId tenant, Class<?> type, String method, Object... args) {
        return engine.enqueueFuture(Objects.requireNonNull(connection, "connection"), tenant, type, method, args);
    }

    /** Enqueues many queueables of one tenant in one transaction: all or none. */
    public List<JobId> enqueueAll(TenantId tenant, List<? extends Queueable> jobs, AsyncOptions options) {
        return engine.enqueueAll(tenant, jobs, options);
    }

    /**
     * Runs, on the calling thread and through the real executor, up to {@code maxJobs} jobs of the tenant
     * that are ready now, oldest first, including jobs they enqueue that become ready (chained children,
     * finalizers). For tests and tools ({@code millrace-test} uses it); a started node runs jobs by itself.
     *
     * @return how many jobs ran
     */
    public int runReadyJobs(TenantId tenant, int maxJobs) {
        return engine.runReadyJobs(tenant, maxJobs);
    }

    /**
     * Runs one chosen job of the tenant on the calling thread, through the real executor, if it is ready now
     * (queued and past its delay). For tests and tools; {@code millrace-test} uses it.
     *
     * @return whether the job ran
     */
    public boolean runJob(TenantId tenant, JobId id) {
        return engine.runJob(tenant, id);
    }

    /**
     * Submits a batch with the default scope of {@value BatchSource#DEFAULT_SCOPE} records per chunk; see
     * {@link #executeBatch(TenantId, Batchable, int)}.
     */
    public JobId executeBatch(TenantId tenant, Batchable<?> batch) {
        return executeBatch(tenant, batch, BatchSource.DEFAULT_SCOPE);
    }

    /**
     * Submits a batch and returns its job id at once. It is QUEUED when the tenant runs fewer than its
     * {@link TenantPolicy#maxActiveBatches()} batches, otherwise HOLDING at the end of its flex queue.
     *
     * @param scope records per chunk: 1 to {@value BatchSource#MAX_QUERY_SCOPE} for a query source, at least 1
     *        for an iterable (a batch whose start is declared to return {@link BatchSource.Query} is checked here,
     *        any other when its start returns a query)
     * @throws IllegalArgumentException when the scope is out of range, naming the range
     * @throws LimitException when the flex queue is full ({@link TenantPolicy#flexQueueCapacity()}); nothing is
     *         submitted
     * @throws AsyncException when called from a batch's start or a chunk
     */
    public JobId executeBatch(TenantId tenant, Batchable<?> batch, int scope) {
        return engine.executeBatch(tenant, batch, scope, null);
    }

    /**
     * Schedules a batch to be submitted once, {@code minutes} from now, with the default scope; see
     * {@link #scheduleBatch(TenantId, String, Batchable, int, int)}.
     */
    public ScheduleId scheduleBatch(TenantId tenant, String name, Batchable<?> batch, int minutes) {
        return scheduleBatch(tenant, name, batch, minutes, BatchSource.DEFAULT_SCOPE);
    }

    /**
     * Schedules a batch to be submitted once, {@code minutes} from now (SPEC BAT-16, Salesforce's
     * {@code System.scheduleBatch}), and returns the schedule's id (Salesforce's CronTrigger id). The schedule is
     * an ordinary one-shot schedule of the tenant: it is listed in {@link #schedules()}, counts toward
     * {@link TenantPolicy#maxSchedules()}, and deleting it before its time cancels the batch. When it fires, the
     * batch is submitted as {@link #executeBatch(TenantId, Batchable, int)} would (QUEUED or HOLDING in the flex
     * queue); the schedule then shows {@link ScheduleState#COMPLETED} and the batch's job is found among the
     * tenant's {@link JobType#BATCH} jobs.
     *
     * @param name the schedule's name, unique among the tenant's schedules, 1 to 255 characters
     * @param minutes at least 1
     * @param scope records per chunk, as for {@code executeBatch}
     * @throws IllegalArgumentException when minutes is below 1, the scope is out of range, or the name is invalid
     * @throws AsyncException when the name is taken or the tenant has as many schedules as its policy allows
     * @throws UnknownJobTypeException when the batch's class is not registered
     */
    public ScheduleId scheduleBatch(TenantId tenant, String name, Batchable<?> batch, int minutes, int scope) {
        return engine.scheduleBatch(tenant, name, batch, minutes, scope);
    }

    /** Batch chunks and errors, and the flex queue. */
    public Batches batches() {
        return engine.batches();
    }

    /** Reading and aborting jobs. */
    public Jobs jobs() {
        return engine.jobs();
    }

    /** Tenant administration. */
    public Tenants tenants() {
        return engine.tenants();
    }

    /** Cursor administration: each tenant's cursor limits. Cursors are opened inside executions. */
    public Cursors cursors() {
        return engine.cursors();
    }

    /** The event bus: channels, publishing, subscriptions and readers (see {@link dev.millrace.event.Events}). */
    public dev.millrace.event.Events events() {
        return engine.events();
    }

    /** Feature flags per tenant: read, switch, and the jobs held while a bound flag is off. */
    public FeatureFlags flags() {
        return engine.flags();
    }

    /**
     * Runs application code as a synchronous execution of a tenant (a request handler's work, say): with the
     * tenant's synchronous governor limits ({@link TenantPolicy#syncLimits()}), in one transaction on the
     * Millrace database that commits when the code returns and rolls back when it throws. Jobs it enqueues
     * (through this node's {@code enqueue} methods) ride that transaction, up to 50 queueables and 50 futures.
     *
     * @return what the code returned
     * @throws LimitException when the code exceeded a limit, even if it caught the exception itself
     * @throws AsyncException wrapping a checked exception the code threw
     * @throws IllegalStateException when called inside a job or another synchronous execution
     */
    public <T> T runSynchronously(TenantId tenant, SyncWork<T> work) {
        return engine.runSynchronously(tenant, work);
    }

    /** API keys of tenants, for the server's REST API. */
    public ApiKeys apiKeys() {
        return engine.apiKeys();
    }

    /** Figures across tenants (job counts, throughput, timings) for dashboards and metrics. */
    public Monitoring monitoring() {
        return engine.monitoring();
    }

    /**
     * Schedules a {@link Schedulable} to run at each fire time of a cron expression in Salesforce's syntax
     * ({@link CronExpression}), read in a time zone; returns the schedule's id. At each fire time one node (however
     * many run) enqueues a job of type {@link JobType#SCHEDULED} that runs {@code execute} with the schedule id and
     * the fire time. A missed fire time fires once when a node is up again; an occurrence due while the previous
     * one's job is still active is skipped (see {@link ScheduleOptions} to change either).
     *
     * <pre>{@code
     * ScheduleId id = millrace.schedule(acme, "nightly-invoices", "0 0 2 * * ?", new NightlyInvoices(),
     *         ZoneId.of("Europe/London"));
     * }</pre>
     *
     * @param name unique among the tenant's schedules, 1 to 255 characters
     * @param cron the expression, for example {@code 0 0 2 * * ?} (02:00 every day)
     * @param zone the time zone the expression is read in (daylight-saving gaps and overlaps fire once)
     * @throws IllegalArgumentException when the expression is invalid (naming the field, the value and what was
     *         expected), has no future fire time, or the name is empty or too long
     * @throws AsyncException when the tenant already has a schedule with this name, or as many schedules as its
     *         policy allows ({@link TenantPolicy#maxSchedules()}, 100 by default)
     * @throws UnknownJobTypeException when the schedulable's class is not registered
     * @throws UnknownTenantException when the tenant does not exist
     */
    public ScheduleId schedule(TenantId tenant, String name, String cron, Schedulable schedulable, ZoneId zone) {
        return engine.schedule(tenant, name, cron, schedulable, zone, ScheduleOptions.defaults());
    }

    /** Schedules with options: the misfire policy and whether occurrences may overlap; see the method above. */
    public ScheduleId schedule(TenantId tenant, String name, String cron, Schedulable schedulable, ZoneId zone,
                               ScheduleOptions options) {
        return engine.schedule(tenant, name, cron, schedulable, zone, options);
    }

    /** Reading, pausing, resuming, re-timing and deleting schedules. */
    public Schedules schedules() {
        return engine.schedules();
    }

    /**
     * Fires, on the calling thread, every schedule whose fire time has come by this node's clock: their SCHEDULED
     * jobs are enqueued (run them with {@link #runReadyJobs}). For tests and tools ({@code millrace-test} uses it);
     * a started node fires schedules by itself.
     *
     * @return how many due schedules were handled (fired, or skipped by their policy)
     */
    public int fireDueSchedules() {
        return engine.fireDueSchedules();
    }

    /**
     * The node's state now: its resource governor (normal, throttled or suspended, and why), how many jobs it may run
     * at once, and the tenants' lanes that flow control or fair usage holds back. Cheap: read from memory.
     */
    public NodeStatus status() {
        return engine.status();
    }

    /**
     * This node's use of its workers per tenant and job type since it started: jobs started, worker time, jobs
     * running now, deferrals, and the fair-usage tier (SPEC.md FAIR-7). Each node counts its own; sum across nodes
     * for a cluster. Cheap: read from memory.
     */
    public List<FairShare> fairShares() {
        return engine.fairShares();
    }

    /** The event handler classes registered on this node, the ones a subscription may name. */
    public List<Class<? extends dev.millrace.event.EventHandler>> eventHandlers() {
        return handlers;
    }

    /**
     * Configuration of a node, one method per knob; every default is a named constant and every setter
     * rejects a bad value at once. Nothing is opened until {@link #build()}.
     */
    public static final class Builder {
        /** Where the embedded H2 file store lives unless told otherwise. */
        public static final String DEFAULT_DATA_DIR = "millrace-data";
        /** Worker threads per node. */
        public static final int DEFAULT_WORKERS = 8;
        /** How long a claim is valid without a heartbeat. */
        public static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);
        /** How often the dispatcher looks for work when no wake-up came. */
        public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);
        /** How many times a job may be started before an expired lease fails it. */
        public static final int DEFAULT_MAX_ATTEMPTS = 3;
        /** How long {@link Millrace#close()} waits for running jobs. */
        public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);
        /** How often the pruner deletes terminal jobs past their tenant's retention. */
        public static final Duration DEFAULT_PRUNE_INTERVAL = Duration.ofMinutes(10);
        /** How long a node reuses flag values it read: another node's switch is seen here within this time. */
        public static final Duration DEFAULT_FLAG_CACHE_TIME = Duration.ofSeconds(5);

        private DataSource dataSource;
        private String jdbcUrl;
        private String user;
        private String password;
        private Path dataDir = Path.of(DEFAULT_DATA_DIR);
        private String schema;
        private int workers = DEFAULT_WORKERS;
        private int claimBatchSize;
        private Duration lease = DEFAULT_LEASE;
        private Duration pollInterval = DEFAULT_POLL_INTERVAL;
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;
        private Duration pruneInterval = DEFAULT_PRUNE_INTERVAL;
        private InstantSource clock = InstantSource.system();
        private String nodeId;
        private boolean migrate = true;
        private final List<Class<?>> jobClasses = new ArrayList<>();
        private final List<Class<?>> futureClasses = new ArrayList<>();
        private final java.util.Map<String, DataSource> applicationDataSources = new java.util.TreeMap<>();
        private final List<Class<? extends dev.millrace.event.EventHandler>> handlerClasses = new ArrayList<>();
        private final java.util.Map<String, String> flagBindings = new java.util.LinkedHashMap<>();
        private Duration flagCacheTime = DEFAULT_FLAG_CACHE_TIME;
        private ResourceSampler resourceSampler = ResourceSampler.jvm();
        private GovernorSettings governorSettings = GovernorSettings.DEFAULTS;

        private Builder() {
        }

        /** Uses this data source (PostgreSQL or H2); the caller owns and closes it. */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            this.jdbcUrl = null;
            return this;
        }

        /**
         * Opens a pool on this JDBC URL ({@code jdbc:postgresql:…}, {@code jdbc:h2:…}); closed with the node.
         */
        public Builder jdbcUrl(String url, String user, String password) {
            Objects.requireNonNull(url, "jdbc url");
            if (!url.startsWith("jdbc:postgresql:") && !url.startsWith("jdbc:h2:")) {
                throw new IllegalArgumentException("jdbc url '" + url
                        + "' is not supported: expected jdbc:postgresql:… or jdbc:h2:…");
            }
            this.jdbcUrl = url;
            this.user = user;
            this.password = password;
            this.dataSource = null;
            return this;
        }

        /** The folder of the embedded H2 file store (the default when no data source or URL is given). */
        public Builder dataDir(Path dir) {
            this.dataDir = Objects.requireNonNull(dir, "dataDir");
            return this;
        }

        /** The database schema of Millrace's tables; created if missing. Default: the connection's. */
        public Builder schema(String schema) {
            if (schema != null && !schema.matches("[A-Za-z_][A-Za-z0-9_]{0,62}")) {
                throw new IllegalArgumentException("schema '" + schema
                        + "' is invalid: expected a letter or '_' then up to 62 letters, digits or '_'");
            }
            this.schema = schema;
            return this;
        }

        /** Worker threads running jobs on this node, 1 to 1,000. */
        public Builder workers(int workers) {
            this.workers = range("workers", workers, 1, 1000);
            return this;
        }

        /** Most jobs claimed in one statement, 1 to 10,000; default: twice the workers. */
        public Builder claimBatchSize(int size) {
            this.claimBatchSize = range("claimBatchSize", size, 1, 10_000);
            return this;
        }

        /** How long a claim holds without renewal; at least 1 second. Heartbeats renew at a third of it. */
        public Builder lease(Duration lease) {
            this.lease = atLeast("lease", lease, Duration.ofSeconds(1));
            return this;
        }

        /** How often to look for work when no wake-up came (the safety net); at least 10 ms. */
        public Builder pollInterval(Duration interval) {
            this.pollInterval = atLeast("pollInterval", interval, Duration.ofMillis(10));
            return this;
        }

        /** How many starts a job gets before an expired lease fails it, 1 to 100. */
        public Builder maxAttempts(int attempts) {
            this.maxAttempts = range("maxAttempts", attempts, 1, 100);
            return this;
        }

        /** How long {@link Millrace#close()} waits for running jobs; 0 or more. */
        public Builder shutdownTimeout(Duration timeout) {
            this.shutdownTimeout = atLeast("shutdownTimeout", timeout, Duration.ZERO);
            return this;
        }

        /** How often terminal jobs past retention are pruned; at least 1 second. */
        public Builder pruneInterval(Duration interval) {
            this.pruneInterval = atLeast("pruneInterval", interval, Duration.ofSeconds(1));
            return this;
        }

        /** The clock every timestamp and delay is read from (tests pass a settable one). */
        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** This node's id; default: host name and a random suffix. */
        public Builder nodeId(String nodeId) {
            if (nodeId == null || nodeId.isBlank() || nodeId.length() > 100) {
                throw new IllegalArgumentException("nodeId '" + nodeId + "' is invalid: expected 1 to 100 characters");
            }
            this.nodeId = nodeId;
            return this;
        }

        /** Whether to apply schema migrations at build (default true); false checks the version only. */
        public Builder migrate(boolean migrate) {
            this.migrate = migrate;
            return this;
        }

        /** Registers a {@link Queueable}, {@link Finalizer}, {@link Schedulable} or {@link Batchable} class this node may run. */
        public Builder register(Class<?> jobClass) {
            Objects.requireNonNull(jobClass, "job class");
            if (!Queueable.class.isAssignableFrom(jobClass) && !Finalizer.class.isAssignableFrom(jobClass)
                    && !Schedulable.class.isAssignableFrom(jobClass) && !Batchable.class.isAssignableFrom(jobClass)) {
                throw new IllegalArgumentException("class " + jobClass.getName() + " cannot be registered as a job:"
                        + " expected an implementation of Queueable, Finalizer, Schedulable or Batchable");
            }
            jobClasses.add(jobClass);
            return this;
        }

        /**
         * Registers an event handler class this node delivers subscriptions to; it needs a no-argument constructor.
         *
         * @throws IllegalArgumentException when it cannot be created
         */
        public Builder registerHandler(Class<? extends dev.millrace.event.EventHandler> handlerClass) {
            Objects.requireNonNull(handlerClass, "handler class");
            try {
                handlerClass.getDeclaredConstructor();
            } catch (NoSuchMethodException e) {
                throw new IllegalArgumentException("event handler " + handlerClass.getName()
                        + " cannot be registered: expected a class with a no-argument constructor");
            }
            handlerClasses.add(handlerClass);
            return this;
        }

        /** Registers every {@link Future} method of a class. */
        public Builder registerFutures(Class<?> type) {
            futureClasses.add(Objects.requireNonNull(type, "future class"));
            return this;
        }

        /**
         * Registers an application data source under a name, so executions can open cursors over its queries with
         * {@link ExecutionContext#cursorOn(String, String, Object...)}. The caller owns and closes it.
         */
        public Builder applicationDataSource(String name, DataSource dataSource) {
            if (name == null || !name.matches("[A-Za-z][A-Za-z0-9_.-]{0,99}")) {
                throw new IllegalArgumentException("data source name '" + name
                        + "' is invalid: expected a letter then up to 99 letters, digits, '_', '.' or '-'");
            }
            applicationDataSources.put(name, Objects.requireNonNull(dataSource, "dataSource"));
            return this;
        }

        /**
         * Binds a job class (a queueable, or a class of futures) to a feature flag: while the flag is off for a
         * tenant, that tenant's jobs of the class wait {@link JobStatus#HOLDING} instead of running, and are
         * released when it is switched on. Every node sharing a database should declare the same bindings.
         */
        public Builder bindToFlag(Class<?> jobClass, String flag) {
            Objects.requireNonNull(jobClass, "job class");
            dev.millrace.internal.flags.FlagService.checkName(flag);
            // Only queueables and futures are held by a flag; a binding of anything else would silently gate nothing.
            if (Batchable.class.isAssignableFrom(jobClass) || Schedulable.class.isAssignableFrom(jobClass)
                    || Finalizer.class.isAssignableFrom(jobClass)
                    || dev.millrace.event.EventHandler.class.isAssignableFrom(jobClass)) {
                throw new IllegalArgumentException("class " + jobClass.getName() + " cannot be bound to flag '" + flag
                        + "': expected a queueable or a class of futures (batches, schedules, finalizers and event"
                        + " handlers are not held by flags)");
            }
            String before = flagBindings.putIfAbsent(jobClass.getName(), flag);
            if (before != null && !before.equals(flag)) {
                throw new IllegalArgumentException("class " + jobClass.getName() + " is already bound to flag '" + before
                        + "': expected at most one flag per job class, not also '" + flag + "'");
            }
            return this;
        }

        /** How long flag values are reused before re-reading them, 0 to 30 seconds (SPEC FLAG-2). */
        public Builder flagCacheTime(Duration time) {
            this.flagCacheTime = atLeast("flagCacheTime", time, Duration.ZERO);
            if (time.compareTo(Duration.ofSeconds(30)) > 0) {
                throw new IllegalArgumentException("flagCacheTime " + time + " is out of range: expected at most PT30S");
            }
            return this;
        }

        /** What the resource governor reads heap and CPU load from; default: this JVM ({@link ResourceSampler#jvm()}). */
        public Builder resourceSampler(ResourceSampler sampler) {
            this.resourceSampler = Objects.requireNonNull(sampler, "resourceSampler");
            return this;
        }

        /** The resource governor's thresholds; default {@link GovernorSettings#DEFAULTS}. */
        public Builder governor(GovernorSettings settings) {
            this.governorSettings = Objects.requireNonNull(settings, "governor settings");
            return this;
        }

        /** Opens the store (migrating it), wires the node; call {@link Millrace#start()} to run jobs. */
        public Millrace build() {
            int batch = claimBatchSize > 0 ? claimBatchSize : Math.max(2, workers * 2);
            // Databases keep microseconds: truncating here makes a stored time equal to the time the engine used.
            InstantSource source = clock;
            InstantSource micros = () -> source.instant().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
            var config = new EngineConfig(dataSource, jdbcUrl, user, password, dataDir, schema, workers, batch, lease,
                    pollInterval, maxAttempts, shutdownTimeout, pruneInterval, micros, nodeId, migrate,
                    List.copyOf(jobClasses), List.copyOf(futureClasses), java.util.Map.copyOf(applicationDataSources),
                    List.copyOf(handlerClasses), flagCacheTime, java.util.Map.copyOf(flagBindings), resourceSampler,
                    governorSettings);
            return new Millrace(Engine.open(config), List.copyOf(new java.util.LinkedHashSet<>(handlerClasses)));
        }

        private static int range(String key, int value, int min, int max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(key + " " + value + " is out of range: expected " + min + " to " + max);
            }
            return value;
        }

        private static Duration atLeast(String key, Duration value, Duration min) {
            if (value == null || value.compareTo(min) < 0) {
                throw new IllegalArgumentException(key + " " + value + " is out of range: expected at least " + min);
            }
            return value;
        }
    }
}
