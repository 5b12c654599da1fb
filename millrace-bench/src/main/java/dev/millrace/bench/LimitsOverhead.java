package dev.millrace.bench;

import dev.millrace.AsyncOptions;
import dev.millrace.Millrace;
import dev.millrace.Queueable;
import dev.millrace.QueueableContext;
import dev.millrace.internal.limits.ExecutionLimits;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Limits: the drain workload with governor-limit accounting on and off, rounds alternating in one run, so the
 * overhead of accounting (per-thread CPU and allocation counters, the metered connection, the watchdog) is
 * measured side by side. With {@code --queries N} each job also issues N queries through its context's
 * connection, which on is the metered proxy and off the plain connection.
 */
@Command(name = "limits", mixinStandardHelpOptions = true,
        description = {"Drain --jobs jobs with governor-limit accounting on, then off, rounds alternating; report the"
                + " overhead. Target: <= " + LimitsOverhead.TARGET_PERCENT + " % slower with accounting on."})
final class LimitsOverhead implements Callable<Integer> {
    static final double TARGET_PERCENT = 5;
    private static final long TIMEOUT_MILLIS = TimeUnit.MINUTES.toMillis(5);

    @Mixin
    BenchOptions options;

    @Option(names = "--queries", defaultValue = "0",
            description = "Queries each job issues through its context's connection (default: ${DEFAULT-VALUE}).")
    int queries;

    /** A drain job that issues some queries through its execution's connection, then reports it started. */
    public static final class QueryJob implements Queueable {
        int queries;

        QueryJob() {
        }

        QueryJob(int queries) {
            this.queries = queries;
        }

        @Override
        public void execute(QueueableContext context) {
            try {
                for (int i = 0; i < queries; i++) {
                    try (Statement s = context.connection().createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
                        rs.next();
                    }
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            Probe.started(context.tenant().value(), 0, 0);
        }
    }

    @Override
    public Integer call() throws Exception {
        options.validate();
        if (queries < 0 || queries > 100) {
            throw new IllegalArgumentException("--queries " + queries + " is out of range: expected 0 to 100");
        }
        boolean pg = options.db == BenchOptions.Db.postgres;
        int jobs = options.jobsOr(pg ? Drain.DEFAULT_JOBS_PG : Drain.DEFAULT_JOBS_H2);
        try (Setup s = Setup.open(options, "limits")) {
            round(s, Math.min(jobs, 5000), true);
            round(s, Math.min(jobs, 5000), false);
            Timed.Tally on = new Timed.Tally();
            Timed.Tally off = new Timed.Tally();
            List<Double> onRates = new ArrayList<>();
            List<Double> offRates = new ArrayList<>();
            for (int r = 0; r < options.rounds; r++) {
                boolean onFirst = r % 2 == 0;
                for (int k = 0; k < 2; k++) {
                    boolean accounting = (k == 0) == onFirst;
                    long t = round(s, jobs, accounting);
                    (accounting ? on : off).add(jobs, t);
                    (accounting ? onRates : offRates).add(jobs / (t / 1e9));
                    System.err.printf("limits round %d accounting %s: %.0f jobs/s%n", r, accounting ? "on" : "off",
                            jobs / (t / 1e9));
                }
            }
            double overhead = (off.jobsPerSec() / on.jobsPerSec() - 1) * 100;
            // Paired: each round's on and off ran back to back, so their ratio shares that moment's load.
            List<Double> paired = new ArrayList<>();
            for (int r = 0; r < onRates.size(); r++) paired.add((offRates.get(r) / onRates.get(r) - 1) * 100);
            double medianOverhead = median(paired);
            double[] nanos = accountingNanosPerExecution();
            Result.of("limits", options, s.db, on.jobs).put("rounds", options.rounds).put("queriesPerJob", queries)
                    .put("jobsPerSecAccountingOn", on.jobsPerSec())
                    .put("jobsPerSecAccountingOff", off.jobsPerSec())
                    .put("overheadPercent", overhead)
                    .put("medianPairedOverheadPercent", medianOverhead)
                    .put("pairedOverheadPercents", paired.stream().map(x -> Math.round(x * 10) / 10.0).toList())
                    .put("accountingWallNanosPerExecution", nanos[0])
                    .put("accountingCpuNanosPerExecution", nanos[1])
                    .put("accountingShareOfJobTimePercent", nanos[0] / (1e9 / off.jobsPerSec()) * 100)
                    .put("target", "<= " + TARGET_PERCENT + " %")
                    .put("met", overhead <= TARGET_PERCENT)
                    .print();
        } finally {
            ExecutionLimits.setAccounting(true);
        }
        return 0;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /**
     * What accounting adds to each no-op execution on this thread, without the database: open an execution's
     * limits (one allocation-counter read), check heap (and CPU only if due) at its end. Timed
     * over many iterations, so this figure is far less exposed to a noisy machine than the drain's.
     */
    private static double[] accountingNanosPerExecution() {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        dev.millrace.limits.LimitProfile p = dev.millrace.limits.LimitProfile.ASYNC;
        ExecutionLimits.setAccounting(true);
        long sink = 0;
        for (int i = 0; i < 50_000; i++) sink += cycle(p);
        int n = 200_000;
        long c0 = threads.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) sink += cycle(p);
        long t = System.nanoTime() - t0;
        long c = threads.getCurrentThreadCpuTime() - c0;
        if (sink == 42) System.err.println("(sink)");
        // Wall time includes waiting for a core on a loaded machine; CPU time is what the execution's thread pays.
        return new double[] {(double) t / n, (double) c / n};
    }

    private static long cycle(dev.millrace.limits.LimitProfile p) {
        ExecutionLimits l = new ExecutionLimits("async", p, 1, 50);
        l.attach();
        l.checkResourcesAtEnd();
        ExecutionLimits.detach();
        return l.budget(dev.millrace.limits.Limit.QUEUEABLE_JOBS);
    }

    /** Loads, starts a node with accounting on or off, times until every job started; returns nanoseconds. */
    private long round(Setup s, int jobs, boolean accounting) throws InterruptedException {
        s.reset();
        ExecutionLimits.setAccounting(accounting);
        try (Millrace m = s.node()) {
            if (queries == 0) {
                Loader.millrace(m, s::tenant, jobs, 2);
            } else {
                for (int i = 0; i * Loader.CHUNK < jobs; i++) {
                    int n = Math.min(Loader.CHUNK, jobs - i * Loader.CHUNK);
                    List<QueryJob> batch = new ArrayList<>(n);
                    for (int j = 0; j < n; j++) batch.add(new QueryJob(queries));
                    m.enqueueAll(s.tenant(i), batch, AsyncOptions.none());
                }
            }
            s.analyze();
            Probe probe = Probe.install();
            long t0 = System.nanoTime();
            m.start();
            long started = probe.awaitStarted(jobs, TIMEOUT_MILLIS);
            Timed.awaitZero(s::millraceQueued, TIMEOUT_MILLIS);
            return started - t0;
        }
    }
}
