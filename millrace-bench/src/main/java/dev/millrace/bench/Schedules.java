package dev.millrace.bench;

import dev.millrace.Millrace;
import dev.millrace.TenantId;
import dev.millrace.schedule.ScheduleId;
import dev.millrace.schedule.ScheduleOptions;
import dev.millrace.schedule.ScheduleRecord;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Schedules: {@code --schedules} schedules, each firing every second ({@code * * * * * ?}), spread over tenants
 * of 100 (the default quota), run by {@code --nodes} started nodes for {@code --seconds}. Counted are the
 * occurrences whose fire time falls in the measured window (after {@code --warmup-seconds}): the lag of each
 * (its {@code execute} began − its fire time, both from the system clock), and per schedule and second how
 * many times it ran: 0 is a missed fire, 2 or more a doubled one.
 */
@Command(name = "schedules", mixinStandardHelpOptions = true,
        description = {"--schedules (default 1000) schedules firing every second for --seconds (default 60) on "
                + "--nodes started nodes; reports fire lag (execute start - fire time) p50/p99 and missed/doubled "
                + "fires. Target on PostgreSQL: p99 <= 100 ms, 0 missed, 0 doubled."})
final class Schedules implements Callable<Integer> {
    static final double TARGET_P99_MS = 100;
    static final int PER_TENANT = 100;

    @Mixin
    BenchOptions options;

    @Option(names = "--schedules", defaultValue = "1000", description = "Schedules (default: ${DEFAULT-VALUE}).")
    int schedules;

    @Option(names = "--seconds", defaultValue = "60", description = "Measured seconds (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--warmup-seconds", defaultValue = "5",
            description = "Seconds of firing before the window opens (default: ${DEFAULT-VALUE}).")
    int warmupSeconds;

    @Option(names = "--nodes", defaultValue = "1", description = "Started nodes sharing the schema, each with "
            + "--workers workers (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--allow-overlap", description = "Schedules fire while their previous occurrence's job is still "
            + "active (default: off, Millrace's default policy, under which such an occurrence is skipped).")
    boolean allowOverlap;

    @Override
    public Integer call() throws Exception {
        options.validate();
        if (schedules < 1 || schedules > 100_000 || seconds < 1 || warmupSeconds < 0 || nodes < 1 || nodes > 8) {
            throw new IllegalArgumentException("--schedules " + schedules + ", --seconds " + seconds
                    + ", --warmup-seconds " + warmupSeconds + ", --nodes " + nodes
                    + ": expected 1 to 100000, at least 1, at least 0, and 1 to 8");
        }
        int tenantCount = (schedules + PER_TENANT - 1) / PER_TENANT;
        List<String> names = new ArrayList<>();
        for (int i = 0; i < tenantCount; i++) names.add("t" + i);
        BenchDb db = BenchDb.open(options);
        try (Setup s = Setup.open(options, db, true, "schedules", names)) {
            List<Millrace> running = new ArrayList<>();
            try {
                for (int n = 0; n < nodes; n++) running.add(node(s, "node-" + n));
                Millrace admin = running.get(0);
                List<ScheduleId> ids = new ArrayList<>();
                Map<ScheduleId, TenantId> tenantOf = new HashMap<>();
                // Every second is below the default shortest interval (a minute, SPEC SCH-6): these tenants allow it.
                for (TenantId t : s.tenants) {
                    admin.tenants().put(t, admin.tenants().policy(t).orElse(dev.millrace.TenantPolicy.DEFAULTS)
                            .withMinScheduleIntervalSeconds(1));
                }
                for (int i = 0; i < schedules; i++) {
                    TenantId tenant = s.tenants.get(i / PER_TENANT);
                    ScheduleId id = admin.schedule(tenant, "every-second-" + i, "* * * * * ?", new BenchSchedule(),
                            ZoneOffset.UTC, ScheduleOptions.defaults().allowOverlap(allowOverlap));
                    ids.add(id);
                    tenantOf.put(id, tenant);
                }
                // Created before any node starts, so the warm-up begins with every schedule in place.
                running.forEach(Millrace::start);
                Instant from = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(warmupSeconds + 1);
                Instant to = from.plusSeconds(seconds);
                System.err.printf("%d schedules on %d node(s); measuring fire times %s to %s%n", schedules, nodes, from,
                        to);
                Thread.sleep(Math.max(0, Duration.between(Instant.now(), to).toMillis()));
                // Let every occurrence of the window that was fired finish (a second is plenty; wait up to ten). Later
                // occurrences go on firing and are not counted.
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                long expected = (long) schedules * seconds;
                while (System.nanoTime() < deadline && inWindow(from, to).size() < expected) Thread.sleep(100);
                List<BenchSchedule.Run> window = inWindow(from, to);
                long fired = 0;
                long skipped = 0;
                for (ScheduleId id : ids) {
                    ScheduleRecord r = admin.schedules().find(tenantOf.get(id), id).orElseThrow();
                    fired += r.fireCount();
                    skipped += r.skippedCount();
                }
                report(s, window, expected, fired, skipped);
            } finally {
                for (Millrace m : running) m.close();
            }
        }
        return 0;
    }

    private Millrace node(Setup s, String id) {
        return Millrace.builder()
                .dataSource(s.millracePool)
                .schema(s.schema)
                .nodeId(id)
                .workers(options.workers)
                .claimBatchSize(options.batch)
                .pollInterval(Duration.ofMillis(options.pollMs))
                .register(BenchSchedule.class)
                .build();
    }

    private static List<BenchSchedule.Run> inWindow(Instant from, Instant to) {
        return BenchSchedule.RUNS.stream().filter(r -> !r.fireTime().isBefore(from) && r.fireTime().isBefore(to))
                .toList();
    }

    private void report(Setup s, List<BenchSchedule.Run> runs, long expected, long fired, long skipped) {
        Histogram lag = Timed.histogram();
        Map<String, Integer> perOccurrence = new HashMap<>();
        for (BenchSchedule.Run r : runs) {
            lag.recordValue(Math.max(0, Duration.between(r.fireTime(), r.startedAt()).toNanos() / 1000));
            perOccurrence.merge(r.scheduleId() + "@" + r.fireTime(), 1, Integer::sum);
        }
        long doubled = perOccurrence.values().stream().filter(n -> n > 1).mapToLong(n -> n - 1).sum();
        long missed = expected - perOccurrence.size();
        double p99 = Result.millis(lag, 99);
        Result.of("schedules", options, s.db, runs.size())
                .put("tenants", s.tenants.size())
                .put("schedules", schedules)
                .put("nodes", nodes)
                .put("allowOverlap", allowOverlap)
                .put("seconds", seconds)
                .put("expectedFires", expected)
                .put("firesRun", runs.size())
                .put("missed", missed)
                .put("doubled", doubled)
                .putLatency("lag", lag)
                .put("lagP999Ms", Result.millis(lag, 99.9))
                // The schedules' own counts, over the whole run (warm-up and the tail included).
                .put("storeFireCount", fired)
                .put("storeSkippedCount", skipped)
                .put("target", "lag p99 <= " + TARGET_P99_MS + " ms, 0 missed, 0 doubled")
                .put("met", p99 <= TARGET_P99_MS && missed == 0 && doubled == 0)
                .print();
    }
}
