package dev.millrace.bench;

import dev.millrace.Millrace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Depth: does the drain rate hold when the queue is deep? Two schemas side by side, one with {@code --small}
 * jobs queued (default 10,000), one with {@code --jobs} (default 1,000,000). Each round starts a fresh node on
 * each in turn and times its first {@code --window} jobs (default 5,000) from the start of the last job of the
 * window's first fifth, so without the node's start-up. At least {@value #MIN_ROUNDS} rounds; their medians are
 * compared. The small queue is refilled before each of its rounds; the deep one is only drained a little further
 * (it stays above 90 % of its depth).
 */
@Command(name = "depth", mixinStandardHelpOptions = true,
        description = {"Drain rate of the first --window jobs (default 5000) with --small (default 10000) vs --jobs "
                + "(default " + Depth.DEFAULT_JOBS + ") queued, alternating --rounds (at least " + Depth.MIN_ROUNDS + ").",
                "Target on PostgreSQL: rate at depth >= " + Depth.TARGET + " x rate at the small depth."})
final class Depth implements Callable<Integer> {
    static final int DEFAULT_JOBS = 1_000_000;
    static final double TARGET = 0.9;
    static final int MIN_ROUNDS = 7;
    private static final long TIMEOUT_MILLIS = TimeUnit.MINUTES.toMillis(5);

    static final int WARMUP_WINDOWS = 4;

    @Mixin
    BenchOptions options;

    @Option(names = "--small", defaultValue = "10000", description = "The shallow queue's depth (default: ${DEFAULT-VALUE}).")
    int small;

    @Option(names = "--window", defaultValue = "5000", description = "Jobs timed per round (default: ${DEFAULT-VALUE}).")
    int window;

    @Option(names = "--load-threads", defaultValue = "2", description = "Threads filling the deep queue (default: ${DEFAULT-VALUE}).")
    int loadThreads;

    @Override
    public Integer call() throws Exception {
        options.validate();
        int deep = options.jobsOr(DEFAULT_JOBS);
        if (window < 1 || window > small || small > deep) {
            throw new IllegalArgumentException("--window " + window + ", --small " + small + ", --jobs " + deep
                    + ": expected 1 <= window <= small <= jobs");
        }
        // The median of at least 7 rounds: a round is a second or so, and a neighbour's burst lands on one of them.
        int rounds = Math.max(options.rounds, MIN_ROUNDS);
        BenchDb db = BenchDb.open(options);
        try (db) {
            List<String> tenants = new ArrayList<>();
            for (int i = 0; i < options.tenants; i++) tenants.add("t" + i);
            Setup shallow = Setup.open(options, db, false, "shallow", tenants);
            Setup deepSetup = Setup.open(options, db, false, "deep", tenants);
            long loadNanos;
            try (Millrace loader = deepSetup.node()) {
                loadNanos = Loader.millrace(loader, deepSetup::tenant, deep, loadThreads);
            }
            deepSetup.analyze();
            System.err.printf("loaded %d jobs in %.1f s (%.0f jobs/s)%n", deep, loadNanos / 1e9, deep / (loadNanos / 1e9));
            // Warm-up, untimed: four windows of each queue. With one shallow window only, the first two or three
            // rounds of both ran slower than the rest (15 rounds: 10,048-19,183 jobs/s, then 23,000-35,000), and with
            // 7 rounds that start weighed on the medians; after two of each the first round was still slow.
            for (int w = 0; w < WARMUP_WINDOWS; w++) {
                shallowRound(shallow);
                timeWindow(deepSetup);
            }
            double[] shallowRates = new double[rounds];
            double[] deepRates = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                if (r % 2 == 0) {
                    shallowRates[r] = shallowRound(shallow);
                    deepRates[r] = timeWindow(deepSetup);
                } else {
                    deepRates[r] = timeWindow(deepSetup);
                    shallowRates[r] = shallowRound(shallow);
                }
                System.err.printf("depth round %d: %d queued %.0f jobs/s, %d queued %.0f jobs/s%n", r, small,
                        shallowRates[r], deep, deepRates[r]);
            }
            double shallowRate = median(shallowRates);
            double deepRate = median(deepRates);
            double ratio = deepRate / shallowRate;
            Result.of("depth", options, db, deep)
                    .put("small", small)
                    .put("window", window)
                    .put("rounds", rounds)
                    .put("jobsPerSec", deepRate)
                    .put("smallJobsPerSec", shallowRate)
                    .put("ratio", ratio)
                    .put("deepRates", Arrays.stream(deepRates).map(Math::round).toArray())
                    .put("smallRates", Arrays.stream(shallowRates).map(Math::round).toArray())
                    .put("deepLoadJobsPerSec", deep / (loadNanos / 1e9))
                    .put("deepQueuedAtEnd", deepSetup.millraceQueued())
                    .put("target", ">= " + TARGET + " x the rate at " + small)
                    .put("met", ratio >= TARGET)
                    .print();
        }
        return 0;
    }

    /** Refills the shallow queue to its depth, then times its first window. */
    private double shallowRound(Setup s) throws InterruptedException {
        s.reset();
        try (Millrace loader = s.node()) {
            Loader.millrace(loader, s::tenant, small, 1);
        }
        s.analyze();
        return timeWindow(s);
    }

    /**
     * Starts a fresh node on the schema and times the window's jobs from the start of its first fifth's last job to
     * the start of its last: the drain rate once the node runs, without its start-up (threads, connections, the first
     * claims), which took a varying share of a window of half a second and made the ratio swing. Returns jobs/s.
     */
    private double timeWindow(Setup s) throws InterruptedException {
        try (Millrace m = s.node()) {
            int fifth = Math.max(1, window / 5);
            Probe probe = Probe.install(fifth, 1, null);
            m.start();
            long done = probe.awaitStarted(window, TIMEOUT_MILLIS);
            return (window - fifth) / ((done - probe.windowReachedAt(1)) / 1e9);
        }
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
