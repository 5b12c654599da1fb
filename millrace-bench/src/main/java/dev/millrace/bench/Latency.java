package dev.millrace.bench;

import dev.millrace.Millrace;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Latency: a started node, and one job enqueued every {@code --interval-ms} for {@code --seconds}; the wait
 * of each job runs from just before {@code enqueue} is called until its {@code execute} begins, both read
 * from this process's clock. With {@code --via-client} the jobs are enqueued through a second, unstarted
 * Millrace, so the node learns of them only through LISTEN/NOTIFY, as a node on another machine would.
 *
 * <p>Halfway between two enqueues the bench also times one bare INSERT + commit into the baseline's table:
 * the floor any durable enqueue pays on this machine at that moment, reported beside the figures.
 */
@Command(name = "latency", mixinStandardHelpOptions = true,
        description = {"One job every --interval-ms (default 20) for --seconds (default 20) into a started node; "
                + "reports enqueue -> start. Target on PostgreSQL: p50 <= 3 ms, p99 <= 10 ms."})
final class Latency implements Callable<Integer> {
    static final double TARGET_P50_MS = 3;
    static final double TARGET_P99_MS = 10;
    private static final int TAG = 1;

    @Mixin
    BenchOptions options;

    @Option(names = "--interval-ms", defaultValue = "20", description = "Time between enqueues (default: ${DEFAULT-VALUE}).")
    int intervalMs;

    @Option(names = "--seconds", defaultValue = "20", description = "How long to enqueue (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--warmup-seconds", defaultValue = "3",
            description = "Untimed enqueues at the same pace first (default: ${DEFAULT-VALUE}).")
    int warmupSeconds;

    @Option(names = "--via-client", description = "Enqueue through a second, unstarted Millrace (wake-up by NOTIFY).")
    boolean viaClient;

    @Override
    public Integer call() throws Exception {
        options.validate();
        if (intervalMs < 1 || seconds < 1 || warmupSeconds < 0) {
            throw new IllegalArgumentException("--interval-ms " + intervalMs + ", --seconds " + seconds
                    + ", --warmup-seconds " + warmupSeconds + ": expected at least 1, 1 and 0");
        }
        int jobs = (int) (seconds * 1000L / intervalMs);
        int warmup = (int) (warmupSeconds * 1000L / intervalMs);
        try (Setup s = Setup.open(options, "latency"); Millrace node = s.node(); Millrace client = s.node()) {
            node.start();
            Millrace via = viaClient ? client : node;
            Histogram enqueueCalls = Timed.histogram();
            Histogram commitFloor = Timed.histogram();
            Probe probe = Probe.install();
            send(via, s, warmup, 0, Timed.histogram(), Timed.histogram());
            send(via, s, jobs, TAG, enqueueCalls, commitFloor);
            probe.awaitStarted(warmup + jobs, TimeUnit.MINUTES.toMillis(1));
            Histogram waits = probe.waits(TAG);
            double p50 = Result.millis(waits, 50);
            double p99 = Result.millis(waits, 99);
            Result.of("latency", options, s.db, waits.getTotalCount())
                    .put("intervalMs", intervalMs)
                    .put("seconds", seconds)
                    .put("path", viaClient ? "client node, NOTIFY wake-up" : "same node, in-process wake-up")
                    .putLatency("", waits)
                    .put("p999Ms", Result.millis(waits, 99.9))
                    .put("meanMs", waits.getMean() / 1000.0)
                    // The enqueue call alone (insert + commit): the part of the wait before the job is visible.
                    .putLatency("enqueue", enqueueCalls)
                    .putLatency("commitFloor", commitFloor)
                    .put("target", "p50 <= " + TARGET_P50_MS + " ms, p99 <= " + TARGET_P99_MS + " ms")
                    .put("met", p50 <= TARGET_P50_MS && p99 <= TARGET_P99_MS)
                    .print();
        }
        return 0;
    }

    /** Enqueues {@code n} jobs at the fixed pace (catching up at once when behind, never bunching more). */
    private void send(Millrace m, Setup s, int n, int tag, Histogram calls, Histogram floor) {
        long interval = TimeUnit.MILLISECONDS.toNanos(intervalMs);
        long next = System.nanoTime();
        for (int i = 0; i < n; i++) {
            Timed.sleepUntil(next);
            long t0 = System.nanoTime();
            m.enqueue(s.tenant(i), tag == 0 ? BenchJob.untimed() : BenchJob.timed(tag));
            calls.recordValue((System.nanoTime() - t0) / 1000);
            // The floor: one bare durable INSERT, away from the enqueue and the claim it triggers.
            Timed.sleepUntil(next + interval / 2);
            long t1 = System.nanoTime();
            s.baseline.enqueue("floor", "{}");
            floor.recordValue((System.nanoTime() - t1) / 1000);
            next += interval;
        }
    }
}
