package dev.millrace;

import dev.millrace.internal.engine.Engine;
import dev.millrace.internal.engine.EngineConfig;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * A Millrace node and its client: enqueue work for tenants, read and abort jobs, administer tenants,
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

    private Millrace(Engine engine) {
        this.engine = engine;
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

    /** Reading and aborting jobs. */
    public Jobs jobs() {
        return engine.jobs();
    }

    /** Tenant administration. */
    public Tenants tenants() {
        return engine.tenants();
    }

    /**
     * The node's state now: its resource governor (normal, throttled or suspended, and why), how many jobs it may run
     * at once, and the tenants' lanes that flow control or fair usage holds back. Cheap: read from memory.
     */
    public NodeStatus status() {
        return engine.status();
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

        /** Registers a {@link Queueable} or {@link Finalizer} class this node may enqueue and run. */
        public Builder register(Class<?> jobClass) {
            Objects.requireNonNull(jobClass, "job class");
            if (!Queueable.class.isAssignableFrom(jobClass) && !Finalizer.class.isAssignableFrom(jobClass)) {
                throw new IllegalArgumentException("class " + jobClass.getName()
                        + " cannot be registered as a job: expected an implementation of Queueable or Finalizer");
            }
            jobClasses.add(jobClass);
            return this;
        }

        /** Registers every {@link Future} method of a class. */
        public Builder registerFutures(Class<?> type) {
            futureClasses.add(Objects.requireNonNull(type, "future class"));
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
                    List.copyOf(jobClasses), List.copyOf(futureClasses), resourceSampler, governorSettings);
            return new Millrace(Engine.open(config));
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
