package dev.millrace.bench;

import dev.millrace.JobId;
import dev.millrace.Millrace;
import dev.millrace.TenantId;
import dev.millrace.TenantPolicy;
import dev.millrace.fair.FairUsage;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.Callable;

/**
 * Fairness: tenant B enqueues one job every {@code --interval-ms} into a started node, first with nothing
 * else queued (the quiet phase), then while tenant A floods the node with {@code --jobs} jobs (bulk, in chunks
 * of 10,000) and they drain. B's wait (enqueue → start) in the second phase is compared with the first.
 * A B job counts for the backlog phase when it was sent after A's first chunk committed and before A's last
 * job started. B's wait includes its own enqueue (commit); the wait from the enqueue's return to the start,
 * the part the scheduler controls, is reported beside it ({@code fromCommit…}), and so are B's waits split at A's
 * last committed chunk ({@code duringLoad…}, {@code afterLoad…}). {@code --weight-a} and
 * {@code --weight-b} set the tenants' fair-usage weights; {@code aLoweredTo} is the lowest fair-usage tier A reached.
 */
@Command(name = "fairness", mixinStandardHelpOptions = true,
        description = {"Tenant B enqueues one job every --interval-ms (default 100), first alone for --quiet-seconds "
                + "(default 15), then while tenant A's --jobs (default " + Fairness.DEFAULT_JOBS + ") drain.",
                "Target on PostgreSQL: B's p99 wait with A's backlog <= 2 x B's p99 alone, and B's wait never above "
                        + "100 ms."})
final class Fairness implements Callable<Integer> {
    static final int DEFAULT_JOBS = 100_000;
    private static final int QUIET = 1;
    /** B's jobs sent while A's chunks were still being written. */
    private static final int BACKLOG = 2;
    /** B's jobs sent after A's last chunk committed, while A's backlog drained. */
    private static final int BACKLOG_AFTER_LOAD = 3;
    private static final double MAX_RATIO = 2;
    private static final double MAX_WAIT_MS = 100;

    @Mixin
    BenchOptions options;

    @Option(names = "--interval-ms", defaultValue = "100", description = "Time between B's jobs (default: ${DEFAULT-VALUE}).")
    int intervalMs;

    @Option(names = "--weight-a", defaultValue = "1", description = "Tenant A's fair-usage weight (default: ${DEFAULT-VALUE}).")
    int weightA;

    @Option(names = "--weight-b", defaultValue = "1", description = "Tenant B's fair-usage weight (default: ${DEFAULT-VALUE}).")
    int weightB;

    @Option(names = "--quiet-seconds", defaultValue = "15",
            description = "How long B runs alone first (default: ${DEFAULT-VALUE}).")
    int quietSeconds;

    @Override
    public Integer call() throws Exception {
        options.validate();
        int aJobs = options.jobsOr(DEFAULT_JOBS);
        BenchDb db = BenchDb.open(options);
        try (Setup s = Setup.open(options, db, true, "fairness", List.of("A", "B")); Millrace node = s.node()) {
            TenantId a = TenantId.of("A");
            TenantId b = TenantId.of("B");
            node.tenants().put(a, TenantPolicy.DEFAULTS.withFairUsage(FairUsage.DEFAULTS.withWeight(weightA)));
            node.tenants().put(b, TenantPolicy.DEFAULTS.withFairUsage(FairUsage.DEFAULTS.withWeight(weightB)));
            node.start();
            // Warm-up: a few of A's and B's jobs, untimed.
            Probe warm = Probe.install();
            Loader.millrace(node, i -> a, 5000, 1);
            for (int i = 0; i < 20; i++) {
                node.enqueue(b, BenchJob.untimed());
                Thread.sleep(intervalMs / 4 + 1);
            }
            warm.awaitStarted(5020, TimeUnit.MINUTES.toMillis(1));

            // Quiet phase: B alone. B's enqueue calls are timed too: they are part of its wait.
            Histogram quietEnqueue = Timed.histogram();
            Histogram backlogEnqueue = Timed.histogram();
            // When each timed B enqueue returned (its commit), by job id: commit → start is the scheduler's part.
            Map<String, Long> committedQuiet = new HashMap<>();
            Map<String, Long> committedBacklog = new HashMap<>();
            Probe probe = Probe.install(0, 0, "A");
            long sent = 0;
            long interval = TimeUnit.MILLISECONDS.toNanos(intervalMs);
            long next = System.nanoTime();
            long quietEnd = next + TimeUnit.SECONDS.toNanos(quietSeconds);
            while (next < quietEnd) {
                Timed.sleepUntil(next);
                long t0 = System.nanoTime();
                JobId id = node.enqueue(b, BenchJob.timed(QUIET));
                long t1 = System.nanoTime();
                quietEnqueue.recordValue((t1 - t0) / 1000);
                committedQuiet.put(id.toString(), t1);
                sent++;
                next += interval;
            }

            // Backlog phase: A floods from another thread; B keeps its pace until A's last job started.
            AtomicBoolean aVisible = new AtomicBoolean();
            AtomicBoolean aLoaded = new AtomicBoolean();
            AtomicLong loadNanos = new AtomicLong();
            AtomicReference<Throwable> loadFailure = new AtomicReference<>();
            long loadStart = System.nanoTime();
            Thread loader = Thread.ofPlatform().name("tenant-a-loader").start(() -> {
                try {
                    int chunks = (aJobs + Loader.CHUNK - 1) / Loader.CHUNK;
                    for (int i = 0; i < chunks; i++) {
                        Loader.millrace(node, k -> a, Math.min(Loader.CHUNK, aJobs - (long) i * Loader.CHUNK), 1);
                        aVisible.set(true);
                    }
                    loadNanos.set(System.nanoTime() - loadStart);
                    aLoaded.set(true);
                } catch (Throwable e) {
                    loadFailure.set(e);
                    aVisible.set(true);
                }
            });
            long backlogSent = 0;
            int aLowest = 0;
            while (probe.startedOfCountedTenant() < aJobs && loadFailure.get() == null) {
                for (var lane : node.status().fairUsage()) {
                    if (lane.tenant().equals(a)) aLowest = Math.max(aLowest, lane.tier());
                }
                Timed.sleepUntil(next);
                boolean timed = aVisible.get() && probe.startedOfCountedTenant() < aJobs;
                long t0 = System.nanoTime();
                int tag = aLoaded.get() ? BACKLOG_AFTER_LOAD : BACKLOG;
                JobId id = node.enqueue(b, timed ? BenchJob.timed(tag) : BenchJob.untimed());
                long t1 = System.nanoTime();
                if (timed) {
                    backlogEnqueue.recordValue((t1 - t0) / 1000);
                    committedBacklog.put(id.toString(), t1);
                    backlogSent++;
                }
                sent++;
                next += interval;
            }
            long aDrainedAt = System.nanoTime();
            loader.join();
            if (loadFailure.get() != null) throw new IllegalStateException("tenant A's load failed", loadFailure.get());
            probe.awaitStarted(sent + aJobs, TimeUnit.MINUTES.toMillis(1));

            Histogram quiet = probe.waits(QUIET);
            Histogram duringLoad = probe.waits(BACKLOG);
            Histogram afterLoad = probe.waits(BACKLOG_AFTER_LOAD);
            Histogram backlog = duringLoad.copy();
            backlog.add(afterLoad);
            double quietP99 = Result.millis(quiet, 99);
            double backlogP99 = Result.millis(backlog, 99);
            double backlogMax = backlog.getMaxValue() / 1000.0;
            Result.of("fairness", options, s.db, aJobs)
                    .put("tenants", 2)
                    .put("weightA", weightA)
                    .put("weightB", weightB)
                    .put("aLoweredTo", aLowest)
                    .put("intervalMs", intervalMs)
                    .put("bSamplesQuiet", quiet.getTotalCount())
                    .put("bSamplesBacklog", backlogSent)
                    .putLatency("", backlog)
                    .putLatency("quiet", quiet)
                    .put("ratio", backlogP99 / quietP99)
                    // The backlog phase split at A's last committed chunk: B's commits during A's load queue behind
                    // A's WAL (one stream per database); after it, only the scheduler stands between B and a worker.
                    .putLatency("duringLoad", duringLoad)
                    .putLatency("afterLoad", afterLoad)
                    .put("afterLoadRatio", Result.millis(afterLoad, 99) / quietP99)
                    .putLatency("enqueue", backlogEnqueue)
                    .putLatency("quietEnqueue", quietEnqueue)
                    .putLatency("fromCommit", sinceCommit(probe, committedBacklog))
                    .putLatency("quietFromCommit", sinceCommit(probe, committedQuiet))
                    .put("aLoadJobsPerSec", aJobs / (loadNanos.get() / 1e9))
                    .put("aDrainJobsPerSec", aJobs / ((aDrainedAt - loadStart) / 1e9))
                    .put("target", "p99 with backlog <= " + MAX_RATIO + " x p99 quiet, max <= " + MAX_WAIT_MS + " ms")
                    .put("met", backlogP99 <= MAX_RATIO * quietP99 && backlogMax <= MAX_WAIT_MS)
                    .put("p99Within100Ms", backlogP99 <= MAX_WAIT_MS)
                    .print();
        }
        return 0;
    }

    /** Commit → start of each job: when it started minus when its enqueue returned (0 if it started first). */
    private static Histogram sinceCommit(Probe probe, Map<String, Long> committed) {
        Histogram h = Timed.histogram();
        committed.forEach((id, at) -> {
            Long started = probe.startedAt(id);
            if (started != null) h.recordValue(Math.max(0, (started - at) / 1000));
        });
        return h;
    }
}
