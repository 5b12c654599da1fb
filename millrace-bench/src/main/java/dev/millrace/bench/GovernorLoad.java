package dev.millrace.bench;

import dev.millrace.Millrace;
import dev.millrace.Queueable;
import dev.millrace.QueueableContext;
import dev.millrace.TenantId;
import dev.millrace.fair.GovernorState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.Collections;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The resource governor under real heap pressure: jobs that each allocate {@code --mb-per-job} MB (2), keep it live
 * for {@code --hold-ms} (3,000) and run for {@code --work-ms} (100): with 8 workers about 160 MB/s held 3 s, more
 * than a 512 MB heap holds; they drain on a started node with the JVM's own sampler and the default thresholds (throttle above
 * 85 % of heap, suspend above 95 %, restore below 70 %). A watcher reads the heap every 5 ms and the node's status
 * every 5 ms: the time from the heap first crossing 85 % to the node reporting THROTTLED, and from then until it
 * reports NORMAL again with work still queued or done. Run it with a small heap, e.g. {@code java -Xmx512m -jar …}.
 */
@Command(name = "governor", mixinStandardHelpOptions = true,
        description = {"Jobs that allocate heavily drive the heap past the governor's threshold (run with -Xmx512m).",
                "Target: THROTTLED within 1 s of the heap crossing 85 %; back to NORMAL after; no OutOfMemoryError."})
final class GovernorLoad implements Callable<Integer> {
    static final ConcurrentLinkedQueue<Held> LIVE = new ConcurrentLinkedQueue<>();
    static final AtomicInteger OOM = new AtomicInteger();
    static final AtomicInteger DONE = new AtomicInteger();

    record Held(byte[] data, long until) {
    }

    @Mixin
    BenchOptions options;

    @Option(names = "--mb-per-job", defaultValue = "2", description = "MB each job keeps live (default: ${DEFAULT-VALUE}).")
    int mbPerJob;

    @Option(names = "--hold-ms", defaultValue = "3000", description = "How long it stays live (default: ${DEFAULT-VALUE}).")
    int holdMs;

    @Option(names = "--work-ms", defaultValue = "100", description = "How long each job runs (default: ${DEFAULT-VALUE}).")
    int workMs;

    /** Allocates and keeps its data live for a while, as a job holding a large working set would. */
    public static final class Hog implements Queueable {
        int mb;
        int holdMs;
        int workMs;

        Hog() {
        }

        Hog(int mb, int holdMs, int workMs) {
            this.mb = mb;
            this.holdMs = holdMs;
            this.workMs = workMs;
        }

        @Override
        public void execute(QueueableContext context) throws InterruptedException {
            try {
                byte[] data = new byte[mb << 20];
                for (int i = 0; i < data.length; i += 4096) data[i] = 1;
                LIVE.add(new Held(data, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(holdMs)));
                Thread.sleep(workMs);
            } catch (OutOfMemoryError e) {
                OOM.incrementAndGet();
                throw e;
            } finally {
                DONE.incrementAndGet();
            }
        }
    }

    @Override
    public Integer call() throws Exception {
        options.validate();
        int jobs = options.jobsOr(1500);
        long maxHeap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax();
        BenchDb db = BenchDb.open(options);
        try (Setup s = Setup.open(options, db, true, "governor", java.util.List.of("hog"));
             Millrace node = s.nodeBuilder().register(Hog.class).build()) {
            TenantId hog = TenantId.of("hog");
            for (int done = 0; done < jobs; done += 1000) {
                node.enqueueAll(hog, Collections.nCopies(Math.min(1000, jobs - done), new Hog(mbPerJob, holdMs, workMs)),
                        dev.millrace.AsyncOptions.none());
            }
            Thread reaper = Thread.ofPlatform().daemon().name("reaper").start(() -> {
                while (true) {
                    long now = System.nanoTime();
                    LIVE.removeIf(h -> h.until() - now < 0);
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            long start = System.nanoTime();
            node.start();
            long crossed = -1;
            long throttled = -1;
            long suspended = -1;
            long recovered = -1;
            double peakHeap = 0;
            int lowestAllowed = options.workers;
            long deadline = start + TimeUnit.MINUTES.toNanos(5);
            while (System.nanoTime() < deadline) {
                MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
                double pct = 100.0 * heap.getUsed() / maxHeap;
                peakHeap = Math.max(peakHeap, pct);
                long now = System.nanoTime();
                if (crossed < 0 && pct > 85) crossed = now;
                var status = node.status();
                lowestAllowed = Math.min(lowestAllowed, status.allowedExecutions());
                if (throttled < 0 && status.governor() != GovernorState.NORMAL) throttled = now;
                if (suspended < 0 && status.governor() == GovernorState.SUSPENDED) suspended = now;
                if (throttled > 0 && recovered < 0 && status.governor() == GovernorState.NORMAL) recovered = now;
                if (DONE.get() >= jobs && recovered > 0) break;
                Thread.sleep(5);
            }
            reaper.interrupt();
            double untilThrottled = crossed > 0 && throttled > 0 ? Math.max(0, (throttled - crossed) / 1e6) : -1;
            Result.of("governor", options, s.db, jobs)
                    .put("maxHeapMb", maxHeap >> 20)
                    .put("mbPerJob", mbPerJob)
                    .put("holdMs", holdMs)
                    .put("workMs", workMs)
                    .put("peakHeapPercent", peakHeap)
                    .put("heapCrossedAtMs", crossed > 0 ? (crossed - start) / 1e6 : -1)
                    .put("throttledAtMs", throttled > 0 ? (throttled - start) / 1e6 : -1)
                    .put("msFromCrossingToThrottled", untilThrottled)
                    .put("suspendedAtMs", suspended > 0 ? (suspended - start) / 1e6 : -1)
                    .put("msFromThrottledToNormal", throttled > 0 && recovered > 0 ? (recovered - throttled) / 1e6 : -1)
                    .put("lowestAllowedExecutions", lowestAllowed)
                    .put("jobsDone", DONE.get())
                    .put("outOfMemoryErrors", OOM.get())
                    .put("target", "THROTTLED within 1000 ms of heap > 85 %, NORMAL again, no OutOfMemoryError")
                    .put("met", untilThrottled >= 0 && untilThrottled <= 1000 && recovered > 0 && OOM.get() == 0
                            && DONE.get() >= jobs)
                    .print();
        }
        return 0;
    }
}
