package dev.millrace.test;

import dev.millrace.AsyncOptions;
import dev.millrace.Finalizer;
import dev.millrace.JobId;
import dev.millrace.JobLogEntry;
import dev.millrace.JobRecord;
import dev.millrace.JobStatus;
import dev.millrace.JobType;
import dev.millrace.Millrace;
import dev.millrace.Queueable;
import dev.millrace.TenantId;
import dev.millrace.TenantPolicy;
import dev.millrace.batch.Batchable;
import dev.millrace.schedule.Schedulable;
import dev.millrace.schedule.ScheduleId;
import dev.millrace.schedule.ScheduleRecord;
import org.h2.jdbcx.JdbcDataSource;
import org.opentest4j.AssertionFailedError;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * One test's Millrace: a node that is never started, on a fresh H2 in-memory database, with an isolated
 * tenant and a {@link TestClock}; plus Salesforce's {@code Test.startTest()} / {@code Test.stopTest()} and
 * assertions on the real job table. JUnit 5 tests get one per test method from {@link MillraceExtension}
 * (usually through {@link MillraceTest}); other code opens one with {@link #builder()} and closes it.
 *
 * <pre>{@code
 * @MillraceTest(register = SendInvoice.class)
 * class SendInvoiceTest {
 *     @Test
 *     void sendsTheInvoice(AsyncTest test) {
 *         test.startTest();
 *         JobId id = test.enqueue(new SendInvoice(42));   // or your code, given test.millrace() and test.tenant()
 *         test.stopTest();                                // the job runs here, on this thread
 *         test.assertCompleted(id);
 *     }
 * }
 * }</pre>
 *
 * <p><b>What {@link #stopTest()} runs.</b> The jobs enqueued between {@code startTest()} and {@code stopTest()}
 * (queueables and futures), in enqueue order, through the node's real executor: the same deserialisation,
 * transaction, completion, log and finalizer handling as on a started node; and, as in Salesforce, each schedule
 * created since {@code startTest()} (and not paused) runs its schedulable once, whatever its cron expression
 * (see {@link #advanceClock(Duration)} to fire schedules at their fire times instead); a batch submitted in the
 * test, or by a {@code scheduleBatch} schedule created in it, runs inline: start, every chunk, finish. Then what
 * they lead to:
 * <ul>
 *   <li>the finalizer of every job run here;</li>
 *   <li>chained children, futures enqueued by a job, and the retry a finalizer enqueues, one level deep by
 *       default ({@link #runChainedJobs(int)} allows more); deeper jobs stay {@code QUEUED}, so a test can
 *       assert on them with {@link #assertEnqueued(Class)};</li>
 *   <li>delayed jobs too: the clock moves forward to a delayed job's start time before it runs, as if the
 *       delay had passed, and stays there.</li>
 * </ul>
 * Jobs enqueued before {@code startTest()} stay queued. A job that throws does not fail the test: it ends
 * {@link JobStatus#FAILED} with its error in the record and the log, as it would in production; assert on it
 * (for instance with {@link #assertCompleted(JobId)}, whose message shows the error).
 *
 * <p>Not thread-safe: one test, one thread. Never start the node: a started node would run the work in the
 * background and {@code stopTest()} would find nothing to run.
 */
public final class AsyncTest implements AutoCloseable {
    /** The tenant a test works in unless told otherwise; every test has a database of its own, so it is isolated. */
    public static final TenantId DEFAULT_TENANT = TenantId.of("test");
    /** Levels of chained work {@link #stopTest()} runs unless {@link #runChainedJobs(int)} says otherwise. */
    public static final int DEFAULT_CHAIN_DEPTH = 1;
    /** The deepest chain {@link #runChainedJobs(int)} accepts. */
    public static final int MAX_CHAIN_DEPTH = 1000;
    /** The most jobs one {@link #stopTest()} runs before it gives up: a chain that never ends is a bug. */
    public static final int MAX_JOBS_PER_STOP_TEST = 10_000;

    private enum Phase { BEFORE_START, STARTED, STOPPED }

    private final Millrace millrace;
    private final TenantId tenant;
    private final TestClock clock;
    private final JdbcDataSource dataSource;
    private final JobTable table;
    private Phase phase = Phase.BEFORE_START;
    private Set<JobId> queuedAtStart = Set.of();
    private Set<ScheduleId> schedulesAtStart = Set.of();
    private int chainDepth = DEFAULT_CHAIN_DEPTH;
    private boolean closed;

    private AsyncTest(Millrace millrace, TenantId tenant, TestClock clock, JdbcDataSource dataSource) {
        this.millrace = millrace;
        this.tenant = tenant;
        this.clock = clock;
        this.dataSource = dataSource;
        this.table = new JobTable(millrace, tenant);
    }

    /** A builder: which jobs to register, the tenant, its policy, the clock's start. */
    public static Builder builder() {
        return new Builder();
    }

    // ---- what the test works with

    /** The node (never started): pass it to the code under test, or call it directly. */
    public Millrace millrace() {
        return millrace;
    }

    /** The test's tenant, created with its policy before the test began. */
    public TenantId tenant() {
        return tenant;
    }

    /** The clock every timestamp and delay of the node reads; it stands still until moved. */
    public TestClock clock() {
        return clock;
    }

    /**
     * The test's H2 in-memory database, where Millrace's tables live: create your own tables here and the
     * jobs reach them through {@code context.connection()}, so what a job writes commits with it.
     */
    public DataSource dataSource() {
        return dataSource;
    }

    /** Shorthand for {@code millrace().enqueue(tenant(), job)}. */
    public JobId enqueue(Queueable job) {
        return millrace.enqueue(tenant, job);
    }

    /**
     * Shorthand for {@code millrace().executeBatch(tenant(), batch, scope)}. Submitted between
     * {@code startTest} and {@code stopTest}, the batch runs inline at {@code stopTest}: start, every chunk (each
     * in its own transaction), then finish.
     */
    public JobId executeBatch(Batchable<?> batch, int scope) {
        return millrace.executeBatch(tenant, batch, scope);
    }

    /**
     * Shorthand for {@code millrace().scheduleBatch(tenant(), name, batch, minutes, scope)}. Created between
     * {@code startTest} and {@code stopTest}, the schedule runs once at {@code stopTest} whatever its time, like any
     * schedule created in the test, and its batch runs inline there (start, every chunk, finish), even with
     * {@code runChainedJobs(0)}; the schedule stays, with its one fire time still ahead.
     */
    public ScheduleId scheduleBatch(String name, Batchable<?> batch, int minutes, int scope) {
        return millrace.scheduleBatch(tenant, name, batch, minutes, scope);
    }

    /** Shorthand for {@code millrace().enqueue(tenant(), job, options)}. */
    public JobId enqueue(Queueable job, AsyncOptions options) {
        return millrace.enqueue(tenant, job, options);
    }

    /** Shorthand for {@code millrace().enqueueFuture(tenant(), type, method, args)}. */
    public JobId enqueueFuture(Class<?> type, String method, Object... args) {
        return millrace.enqueueFuture(tenant, type, method, args);
    }

    /** Shorthand for {@code millrace().schedule(tenant(), name, cron, schedulable, zone)}. */
    public ScheduleId schedule(String name, String cron, Schedulable schedulable, ZoneId zone) {
        return millrace.schedule(tenant, name, cron, schedulable, zone);
    }

    // ---- schedules and the clock

    /**
     * Moves the clock forward and, at each fire time on the way, fires the schedules due then and runs their
     * {@code SCHEDULED} jobs on this thread, through the real executor: advancing an hour fires a
     * quarter-hourly schedule four times, each with its own fire time, as a running node would (never as a
     * misfire). Work those jobs enqueue stays queued, for {@link #assertEnqueued(Class)} or a
     * {@link #startTest()}/{@link #stopTest()} of its own.
     *
     * <pre>{@code
     * ScheduleId id = test.schedule("quarter-hourly", "0 0/15 * * * ?", new SyncPayments(), ZoneId.of("UTC"));
     * List<JobRecord> ran = test.advanceClock(Duration.ofHours(1));   // four SCHEDULED jobs, one per fire time
     * }</pre>
     *
     * @param duration how far, zero or more
     * @return the scheduled jobs it ran, in the order they ran, as the job table shows them now
     * @throws IllegalArgumentException when the duration is negative
     * @throws IllegalStateException when more than {@value #MAX_JOBS_PER_STOP_TEST} jobs would run
     */
    public List<JobRecord> advanceClock(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative()) {
            throw new IllegalArgumentException("duration " + duration
                    + " is negative: expected zero or more, the test clock only moves forward");
        }
        Instant target = clock.instant().plus(duration).truncatedTo(ChronoUnit.MICROS);
        List<JobRecord> ran = new ArrayList<>();
        Instant next;
        while ((next = earliestFireTime()) != null && !next.isAfter(target)) {
            if (next.isAfter(clock.instant())) clock.set(next);
            ran.addAll(fireDueSchedules());
            if (ran.size() > MAX_JOBS_PER_STOP_TEST) {
                throw new IllegalStateException("advanceClock(" + duration + ") ran " + ran.size() + " scheduled jobs"
                        + " by " + clock.instant() + ": expected at most " + MAX_JOBS_PER_STOP_TEST
                        + "; advance in smaller steps");
            }
        }
        clock.set(target);
        return ran;
    }

    /**
     * Fires the schedules due at the clock's current time and runs their {@code SCHEDULED} jobs on this thread
     * (see {@link #advanceClock(Duration)}).
     *
     * @return the scheduled jobs it ran, in the order they ran, as the job table shows them now
     */
    public List<JobRecord> fireDueSchedules() {
        millrace.fireDueSchedules();
        List<JobRecord> due = table.find(q -> q.status(JobStatus.QUEUED).type(JobType.SCHEDULED)).stream()
                .filter(j -> !j.runAt().isAfter(clock.instant())).toList();
        for (JobRecord job : due) millrace.runJob(tenant, job.id());
        return due.stream().map(j -> table.job(j.id())).toList();
    }

    /** The schedules of the tenant, as the store holds them now, by name. */
    public List<ScheduleRecord> schedules() {
        return millrace.schedules().list(tenant);
    }

    private Instant earliestFireTime() {
        return millrace.schedules().list(tenant).stream().map(ScheduleRecord::nextFireTime)
                .filter(Objects::nonNull).min(Instant::compareTo).orElse(null);
    }

    // ---- startTest / stopTest

    /**
     * Marks the start of the code under test: async work it enqueues runs at {@link #stopTest()}.
     *
     * @throws IllegalStateException when called a second time in the test
     */
    public void startTest() {
        if (phase != Phase.BEFORE_START) {
            throw new IllegalStateException("startTest() was already called in this test (it is now "
                    + (phase == Phase.STARTED ? "started" : "stopped")
                    + "): expected one startTest() and one stopTest() per test");
        }
        // What is already waiting was enqueued by the test's setup, not by the code under test: it stays queued.
        queuedAtStart = table.waiting().stream().map(JobRecord::id).collect(Collectors.toUnmodifiableSet());
        schedulesAtStart = millrace.schedules().list(tenant).stream().map(ScheduleRecord::id)
                .collect(Collectors.toUnmodifiableSet());
        phase = Phase.STARTED;
    }

    /**
     * How many levels of chained work {@link #stopTest()} runs after the work enqueued since
     * {@link #startTest()}: chained children, futures enqueued by jobs, retries enqueued by finalizers.
     * The default is {@value #DEFAULT_CHAIN_DEPTH}; 0 runs only the enqueued work (and its finalizers).
     *
     * @param depth 0 to {@value #MAX_CHAIN_DEPTH}
     * @return this
     * @throws IllegalArgumentException when the depth is out of range
     * @throws IllegalStateException when {@link #stopTest()} has already run
     */
    public AsyncTest runChainedJobs(int depth) {
        if (depth < 0 || depth > MAX_CHAIN_DEPTH) {
            throw new IllegalArgumentException("runChainedJobs depth " + depth + " is out of range: expected 0 to "
                    + MAX_CHAIN_DEPTH);
        }
        if (phase == Phase.STOPPED) {
            throw new IllegalStateException("runChainedJobs(" + depth + ") came after stopTest(): expected it before"
                    + " stopTest(), which is when chained jobs run");
        }
        this.chainDepth = depth;
        return this;
    }

    /**
     * Runs, on this thread and through the real executor, the async work enqueued since {@link #startTest()}
     * and what it leads to (see the class description), then returns; assertions after it see the effects.
     *
     * @return the jobs it ran, in the order they ran, as the job table shows them now
     * @throws IllegalStateException when {@link #startTest()} was not called, or stopTest() already was
     */
    public List<JobRecord> stopTest() {
        if (phase == Phase.BEFORE_START) {
            throw new IllegalStateException("stopTest() was called without startTest(): expected test.startTest()"
                    + " before the code under test and test.stopTest() after it");
        }
        if (phase == Phase.STOPPED) {
            throw new IllegalStateException("stopTest() was already called in this test: expected one startTest()"
                    + " and one stopTest() per test");
        }
        phase = Phase.STOPPED;
        // As in Salesforce, a schedule created in the test runs once at stopTest, whatever its cron expression.
        for (ScheduleRecord s : millrace.schedules().list(tenant)) {
            if (!schedulesAtStart.contains(s.id()) && s.state() != dev.millrace.schedule.ScheduleState.PAUSED) {
                millrace.schedules().runNow(tenant, s.id());
            }
        }
        List<JobRecord> ran = new StopTestRun(millrace, tenant, clock, table, chainDepth, MAX_JOBS_PER_STOP_TEST)
                .run(queuedAtStart);
        // Events published by the code under test reach its subscriptions now (SPEC TEST-6).
        millrace.events().deliverNow(tenant);
        return ran;
    }

    /**
     * The event bus of the test's tenant: {@code test.eventBus().deliver()} hands pending events to the
     * subscriptions now, as Salesforce's {@code Test.getEventBus().deliver()} does.
     */
    public TestEventBus eventBus() {
        return new TestEventBus(millrace, tenant);
    }

    // ---- the job table

    /**
     * Switches a feature flag of the test's tenant, at once (the test's node reads its own switches without
     * delay). Switching a bound flag off holds the tenant's waiting jobs of the bound classes; on releases them.
     *
     * @return how many jobs were held or released
     */
    public int setFlag(String name, boolean enabled) {
        return millrace.flags().set(tenant, name, enabled);
    }

    /** Every job of the test's tenant, oldest (first enqueued) first. */
    public List<JobRecord> jobs() {
        return table.find(q -> q);
    }

    /** The jobs of one queueable, finalizer or futures class, oldest first. */
    public List<JobRecord> jobs(Class<?> type) {
        Objects.requireNonNull(type, "type");
        return table.find(q -> q.className(type.getName()));
    }

    /**
     * One job of the test's tenant, as the job table shows it now.
     *
     * @throws AssertionFailedError when the tenant has no such job
     */
    public JobRecord job(JobId id) {
        Objects.requireNonNull(id, "job id");
        return millrace.jobs().find(tenant, id).orElseThrow(() -> new AssertionFailedError("job " + id
                + " does not exist in tenant '" + tenant + "': expected the id of one of its jobs; it has "
                + describe(jobs())));
    }

    /** A job's log, oldest line first. */
    public List<JobLogEntry> log(JobId id) {
        return millrace.jobs().log(tenant, Objects.requireNonNull(id, "job id"));
    }

    // ---- assertions

    /**
     * Asserts that a job of this queueable, finalizer or futures class is waiting to run ({@code QUEUED} or
     * {@code HOLDING}) in the test's tenant.
     *
     * @return the oldest such job
     * @throws AssertionFailedError when there is none, listing the tenant's jobs
     */
    public JobRecord assertEnqueued(Class<?> type) {
        Objects.requireNonNull(type, "type");
        return assertEnqueued(type.getName(), waiting(type, j -> true));
    }

    /**
     * Asserts that a call of this future method is waiting to run in the test's tenant.
     *
     * @return the oldest such job
     * @throws AssertionFailedError when there is none, listing the tenant's jobs
     */
    public JobRecord assertEnqueued(Class<?> type, String method) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(method, "method");
        return assertEnqueued(type.getName() + "." + method, waiting(type, j -> method.equals(j.methodName())));
    }

    /**
     * Asserts that no job of this queueable, finalizer or futures class is waiting to run in the test's tenant.
     *
     * @throws AssertionFailedError when there is one, listing them
     */
    public void refuteEnqueued(Class<?> type) {
        Objects.requireNonNull(type, "type");
        refuteEnqueued(type.getName(), waiting(type, j -> true));
    }

    /**
     * Asserts that no call of this future method is waiting to run in the test's tenant.
     *
     * @throws AssertionFailedError when there is one, listing them
     */
    public void refuteEnqueued(Class<?> type, String method) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(method, "method");
        refuteEnqueued(type.getName() + "." + method, waiting(type, j -> method.equals(j.methodName())));
    }

    /**
     * Asserts that a job ended {@link JobStatus#COMPLETED}.
     *
     * @return the job
     * @throws AssertionFailedError when it did not, with its status, its first error and the stack trace
     */
    public JobRecord assertCompleted(JobId id) {
        return assertStatus(id, JobStatus.COMPLETED);
    }

    /**
     * Asserts that a job has this status.
     *
     * @return the job
     * @throws AssertionFailedError when it does not, with its status and, for a failed job, its error
     */
    public JobRecord assertStatus(JobId id, JobStatus expected) {
        Objects.requireNonNull(expected, "expected status");
        JobRecord job = job(id);
        if (job.status() == expected) return job;
        StringBuilder message = new StringBuilder("job " + id + " (" + name(job) + ") is " + job.status() + ": expected "
                + expected);
        if (job.extendedStatus() != null) message.append("; its error: ").append(job.extendedStatus());
        log(id).stream().filter(e -> e.error() != null).findFirst()
                .ifPresent(e -> message.append("\n").append(e.error().stackTrace()));
        throw new AssertionFailedError(message.toString(), expected, job.status());
    }

    private JobRecord assertEnqueued(String what, List<JobRecord> found) {
        if (!found.isEmpty()) return found.get(0);
        throw new AssertionFailedError("expected a job of " + what + " waiting to run in tenant '" + tenant
                + "', but there is none; the tenant has " + describe(jobs()));
    }

    private void refuteEnqueued(String what, List<JobRecord> found) {
        if (found.isEmpty()) return;
        throw new AssertionFailedError("expected no job of " + what + " waiting to run in tenant '" + tenant
                + "', but found " + describe(found));
    }

    /** The jobs of a class waiting to be claimed (a batch may wait in the flex queue, HOLDING), oldest first. */
    private List<JobRecord> waiting(Class<?> type, Predicate<JobRecord> matches) {
        return table.find(q -> q.className(type.getName()).status(JobStatus.QUEUED, JobStatus.HOLDING)).stream()
                .filter(matches).toList();
    }

    private static String describe(List<JobRecord> jobs) {
        if (jobs.isEmpty()) return "no jobs";
        return jobs.size() + " job(s): " + jobs.stream().map(j -> name(j) + " " + j.status() + " " + j.id())
                .collect(Collectors.joining(", ", "[", "]"));
    }

    private static String name(JobRecord job) {
        String simple = job.className().substring(job.className().lastIndexOf('.') + 1);
        return job.methodName() == null ? simple : simple + "." + job.methodName();
    }

    // ---- lifecycle

    /** Closes the node and drops the in-memory database. Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            millrace.close();
        } finally {
            shutdown(dataSource);
        }
    }

    @Override
    public String toString() {
        return "AsyncTest[tenant=" + tenant + ", " + clock + ", " + dataSource.getURL() + "]";
    }

    private static void shutdown(JdbcDataSource dataSource) {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("SHUTDOWN");
        } catch (SQLException e) {
            // Already gone: nothing left to free.
        }
    }

    /**
     * Configuration of an {@link AsyncTest}; one builder may open any number of them, each with a database,
     * tenant and clock of its own (that is how {@link MillraceExtension} gives every test a fresh one).
     */
    public static final class Builder {
        private final List<Class<?>> jobClasses = new ArrayList<>();
        private final List<Class<?>> futureClasses = new ArrayList<>();
        private final List<Class<? extends dev.millrace.event.EventHandler>> handlerClasses = new ArrayList<>();
        private TenantId tenant = DEFAULT_TENANT;
        private TenantPolicy policy = TenantPolicy.DEFAULTS;
        private Instant clockStart = TestClock.DEFAULT_START;
        private final java.util.Map<Class<?>, String> flagBindings = new java.util.LinkedHashMap<>();

        private Builder() {
        }

        /**
         * Registers {@link Queueable}, {@link Finalizer} and {@link Schedulable} classes the test may enqueue,
         * schedule and run, as {@link Millrace.Builder#register(Class)} does.
         *
         * @throws IllegalArgumentException when a class is none of them
         */
        public Builder register(Class<?>... classes) {
            for (Class<?> c : classes) {
                Objects.requireNonNull(c, "job class");
                if (!Queueable.class.isAssignableFrom(c) && !Finalizer.class.isAssignableFrom(c)
                        && !Schedulable.class.isAssignableFrom(c) && !Batchable.class.isAssignableFrom(c)) {
                    throw new IllegalArgumentException("class " + c.getName() + " cannot be registered as a job:"
                            + " expected an implementation of Queueable, Finalizer, Schedulable or Batchable (register"
                            + " futures with registerFutures)");
                }
                jobClasses.add(c);
            }
            return this;
        }

        /** Registers the {@link dev.millrace.Future} methods of classes, as {@link Millrace.Builder#registerFutures(Class)} does. */
        public Builder registerFutures(Class<?>... classes) {
            for (Class<?> c : classes) futureClasses.add(Objects.requireNonNull(c, "future class"));
            return this;
        }

        /** Registers event handler classes, as {@link Millrace.Builder#registerHandler(Class)} does. */
        @SafeVarargs
        public final Builder registerHandlers(Class<? extends dev.millrace.event.EventHandler>... classes) {
            for (Class<? extends dev.millrace.event.EventHandler> c : classes) {
                handlerClasses.add(Objects.requireNonNull(c, "handler class"));
            }
            return this;
        }

        /** The test's tenant; default {@link AsyncTest#DEFAULT_TENANT}. */
        public Builder tenant(TenantId tenant) {
            this.tenant = Objects.requireNonNull(tenant, "tenant");
            return this;
        }

        /** The policy the test's tenant is created with; default {@link TenantPolicy#DEFAULTS}. */
        public Builder tenantPolicy(TenantPolicy policy) {
            this.policy = Objects.requireNonNull(policy, "tenant policy");
            return this;
        }

        /**
         * Binds a job class to a feature flag, as {@link Millrace.Builder#bindToFlag(Class, String)} does: while
         * the flag is off for the test's tenant (as every flag is until {@link AsyncTest#setFlag} switches it),
         * its jobs wait {@code HOLDING} and {@link AsyncTest#stopTest()} does not run them.
         */
        public Builder bindToFlag(Class<?> jobClass, String flag) {
            flagBindings.put(Objects.requireNonNull(jobClass, "job class"), flag);
            return this;
        }

        /** Where each test's clock starts; default {@link TestClock#DEFAULT_START}. */
        public Builder clockStart(Instant start) {
            this.clockStart = Objects.requireNonNull(start, "clock start");
            return this;
        }

        /**
         * Opens a fresh one: a new H2 in-memory database (migrated), a node on it that is not started, the
         * tenant with its policy, a clock at the configured start. Close it when the test ends.
         *
         * @throws IllegalArgumentException when the node rejects a registered class, naming it
         */
        public AsyncTest open() {
            JdbcDataSource dataSource = new JdbcDataSource();
            // A name of its own per test, kept alive between connections until close() shuts it down.
            dataSource.setURL("jdbc:h2:mem:millrace-test-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
            dataSource.setUser("sa");
            TestClock clock = new TestClock(clockStart);
            Millrace millrace = null;
            try {
                Millrace.Builder node = Millrace.builder().dataSource(dataSource).clock(clock).nodeId("millrace-test");
                jobClasses.forEach(node::register);
                futureClasses.forEach(node::registerFutures);
                handlerClasses.forEach(node::registerHandler);
                flagBindings.forEach(node::bindToFlag);
                millrace = node.build();
                millrace.tenants().put(tenant, policy);
                return new AsyncTest(millrace, tenant, clock, dataSource);
            } catch (RuntimeException e) {
                if (millrace != null) millrace.close();
                shutdown(dataSource);
                throw e;
            }
        }

        /** A snapshot of this configuration, so a shared builder changed later does not change it. */
        Builder copy() {
            Builder b = new Builder();
            b.jobClasses.addAll(jobClasses);
            b.futureClasses.addAll(futureClasses);
            b.handlerClasses.addAll(handlerClasses);
            b.tenant = tenant;
            b.policy = policy;
            b.clockStart = clockStart;
            b.flagBindings.putAll(flagBindings);
            return b;
        }
    }
}
