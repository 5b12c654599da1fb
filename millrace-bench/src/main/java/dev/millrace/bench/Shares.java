package dev.millrace.bench;

import dev.millrace.Millrace;
import dev.millrace.Queueable;
import dev.millrace.QueueableContext;
import dev.millrace.TenantId;
import dev.millrace.TenantPolicy;
import dev.millrace.fair.FairUsage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Weighted shares: {@code --share-tenants} tenants (default 10) keep work queued for {@code --seconds} (default 60)
 * on a started node; tenant s0 floods ({@code --jobs}, default 100,000, queued at the start), the others are kept
 * with at least a refill's worth queued. Odd tenants have weight 2, even ones weight 1. Every job works for
 * {@code --work-ms} (default 2 ms, sleeping, like I/O). Each tenant's share of the worker time spent in jobs during
 * the measured window is compared with its fair share, weight / sum of weights.
 */
@Command(name = "shares", mixinStandardHelpOptions = true,
        description = {"10 tenants (weights 1 and 2) keep work queued for --seconds, one of them flooding.",
                "Target: each tenant's share of worker time within 10 % of its fair share (weight / sum of weights)."})
final class Shares implements Callable<Integer> {
    static final Map<String, LongAdder> BUSY_NANOS = new ConcurrentHashMap<>();
    static final Map<String, LongAdder> STARTED = new ConcurrentHashMap<>();
    static volatile boolean measuring;
    private static final double TOLERANCE = 0.10;

    @Mixin
    BenchOptions options;

    @Option(names = "--seconds", defaultValue = "60", description = "Measured seconds (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--share-tenants", defaultValue = "10", description = "Tenants (default: ${DEFAULT-VALUE}).")
    int tenantCount;

    @Option(names = "--work-ms", defaultValue = "2", description = "Each job's work (default: ${DEFAULT-VALUE}).")
    int workMs;

    /** Works for its time and adds it to its tenant's busy time. */
    public static final class Work implements Queueable {
        int millis;

        Work() {
        }

        Work(int millis) {
            this.millis = millis;
        }

        @Override
        public void execute(QueueableContext context) throws InterruptedException {
            String t = context.tenant().value();
            STARTED.computeIfAbsent(t, k -> new LongAdder()).increment();
            long t0 = System.nanoTime();
            Thread.sleep(millis);
            if (measuring) BUSY_NANOS.computeIfAbsent(t, k -> new LongAdder()).add(System.nanoTime() - t0);
        }
    }

    @Override
    public Integer call() throws Exception {
        options.validate();
        int flood = options.jobsOr(100_000);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < tenantCount; i++) names.add("s" + i);
        BenchDb db = BenchDb.open(options);
        try (Setup s = Setup.open(options, db, true, "shares", names);
             Millrace node = s.nodeBuilder().register(Work.class).build()) {
            Map<String, Integer> weights = new LinkedHashMap<>();
            for (int i = 0; i < tenantCount; i++) {
                int w = i % 2 == 1 ? 2 : 1;
                weights.put(names.get(i), w);
                node.tenants().put(TenantId.of(names.get(i)),
                        TenantPolicy.DEFAULTS.withFairUsage(FairUsage.DEFAULTS.withWeight(w)));
            }
            // The flood first (chunks of 10,000), then a refill's worth for each other tenant.
            int refill = 2_000;
            Map<String, Long> enqueued = new ConcurrentHashMap<>();
            for (int done = 0; done < flood; done += Loader.CHUNK) {
                node.enqueueAll(TenantId.of("s0"), Collections.nCopies(Math.min(Loader.CHUNK, flood - done), new Work(workMs)),
                        dev.millrace.AsyncOptions.none());
            }
            enqueued.put("s0", (long) flood);
            for (String t : names.subList(1, names.size())) {
                node.enqueueAll(TenantId.of(t), Collections.nCopies(refill, new Work(workMs)), dev.millrace.AsyncOptions.none());
                enqueued.put(t, (long) refill);
            }
            AtomicBoolean running = new AtomicBoolean(true);
            // Keeps every other tenant's queue from running dry: at least a refill's worth waiting.
            Thread refiller = Thread.ofPlatform().name("refiller").start(() -> {
                while (running.get()) {
                    for (String t : names.subList(1, names.size())) {
                        long started = STARTED.getOrDefault(t, new LongAdder()).sum();
                        if (enqueued.get(t) - started < refill) {
                            node.enqueueAll(TenantId.of(t), Collections.nCopies(refill, new Work(workMs)),
                                    dev.millrace.AsyncOptions.none());
                            enqueued.merge(t, (long) refill, Long::sum);
                        }
                    }
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            node.start();
            Thread.sleep(3_000);   // warm-up: claims, JIT, the first flow-control samples
            measuring = true;
            long t0 = System.nanoTime();
            Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
            measuring = false;
            double elapsed = (System.nanoTime() - t0) / 1e9;
            running.set(false);
            refiller.join();
            boolean floodLasted = STARTED.get("s0").sum() < flood;

            long total = BUSY_NANOS.values().stream().mapToLong(LongAdder::sum).sum();
            int weightSum = weights.values().stream().mapToInt(Integer::intValue).sum();
            double worst = 0;
            Map<String, String> shares = new LinkedHashMap<>();
            for (String t : names) {
                double share = BUSY_NANOS.getOrDefault(t, new LongAdder()).sum() / (double) total;
                double fair = weights.get(t) / (double) weightSum;
                double off = Math.abs(share - fair) / fair;
                worst = Math.max(worst, off);
                shares.put(t, String.format(Locale.ROOT, "w%d %.2f%% (fair %.2f%%, %+.1f%%)", weights.get(t), 100 * share,
                        100 * fair, 100 * (share - fair) / fair));
            }
            Result.of("shares", options, s.db, flood)
                    .put("seconds", elapsed)
                    .put("workMs", workMs)
                    .put("workerUtilisation", total / 1e9 / elapsed / options.workers)
                    .put("floodLasted", floodLasted)
                    .put("shares", shares.toString())
                    .put("worstDeviation", worst)
                    .put("target", "each share within " + (int) (TOLERANCE * 100) + " % of weight / sum of weights")
                    .put("met", worst <= TOLERANCE && floodLasted)
                    .print();
        }
        return 0;
    }
}
