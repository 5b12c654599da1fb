package dev.millrace.bench;

import dev.millrace.Millrace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Drain: N no-op jobs are queued, then a node starts; the time runs from start until the queue is drained: every
 * job has run and its completion is written (no row ready or running, polled every 20 ms). Millrace's node against
 * {@link BaselineNode} on the same workers and batch size, rounds alternating, each round on emptied tables. Also
 * reported: the rate until the N-th job had started (the in-process signal), which leaves out completions still
 * being written ({@code startedJobsPerSec}: the figure judged before 25 November, when completions could lag it by
 * seconds).
 */
@Command(name = "drain", mixinStandardHelpOptions = true,
        description = {"Queue --jobs no-op jobs (default " + Drain.DEFAULT_JOBS_PG + " on PostgreSQL, "
                + Drain.DEFAULT_JOBS_H2 + " on H2), then start the node and time until all have run and their completions "
                + "are written.",
                "Targets: PostgreSQL >= " + Drain.TARGET + " x the baseline; H2 >= " + Drain.H2_TARGET + " jobs/s."})
final class Drain implements Callable<Integer> {
    static final int DEFAULT_JOBS_PG = 30_000;
    static final int DEFAULT_JOBS_H2 = 100_000;
    static final double TARGET = 0.5;
    static final double H2_TARGET = 20_000;
    static final int WARMUP_ROUNDS = 2;
    private static final long TIMEOUT_MILLIS = TimeUnit.MINUTES.toMillis(5);

    @Mixin
    BenchOptions options;

    @Override
    public Integer call() throws Exception {
        options.validate();
        boolean pg = options.db == BenchOptions.Db.postgres;
        int jobs = options.jobsOr(pg ? DEFAULT_JOBS_PG : DEFAULT_JOBS_H2);
        try (Setup s = Setup.open(options, "drain")) {
            // Warm-up rounds of each, so the JIT has compiled both paths and the pools are warm. On H2 the work is
            // the JVM's own (H2's B-trees), and one round of 5,000 left the measured rounds still speeding up
            // (14,297 → 18,010 → 20,415 jobs/s in one quiet run): there the warm-up rounds are full size, up to
            // 20,000 (the default 100,000 would add half a minute and warm nothing more).
            int warmup = pg ? Math.min(jobs, 5000) : Math.min(jobs, 20_000);
            for (int w = 0; w < WARMUP_ROUNDS; w++) {
                millraceRound(s, warmup);
                baselineRound(s, warmup);
            }
            Timed.Tally mr = new Timed.Tally();
            Timed.Tally bl = new Timed.Tally();
            Timed.Tally mrSettled = new Timed.Tally();
            Timed.Tally blSettled = new Timed.Tally();
            // Process CPU from start until settled: robust to neighbours on a shared machine, unlike the rates.
            long[] cpu = new long[2];
            for (int r = 0; r < options.rounds; r++) {
                boolean millraceFirst = r % 2 == 0;
                for (int k = 0; k < 2; k++) {
                    boolean isMillrace = (k == 0) == millraceFirst;
                    long[] t = isMillrace ? millraceRound(s, jobs) : baselineRound(s, jobs);
                    (isMillrace ? mr : bl).add(jobs, t[0]);
                    (isMillrace ? mrSettled : blSettled).add(jobs, t[1]);
                    cpu[isMillrace ? 0 : 1] += t[2];
                    System.err.printf("drain round %d %s: %.0f jobs/s drained (%.0f started), %.1f us CPU per job"
                                    + " (load %s)%n", r, isMillrace ? "millrace" : "baseline", jobs / (t[1] / 1e9),
                            jobs / (t[0] / 1e9), t[2] / 1e3 / jobs, Cpu.loadAverage());
                }
            }
            // Judged until every completion is written (no job ready or running): polled, so coarse by ~20 ms.
            Result result = Result.of("drain", options, s.db, mr.jobs).put("rounds", options.rounds);
            if (pg) {
                result.putRatio(mrSettled.jobsPerSec(), blSettled.jobsPerSec(), TARGET);
            } else {
                result.put("jobsPerSec", mrSettled.jobsPerSec())
                        .put("baselineJobsPerSec", blSettled.jobsPerSec())
                        .put("ratio", mrSettled.jobsPerSec() / blSettled.jobsPerSec())
                        .put("target", ">= " + (long) H2_TARGET + " jobs/s")
                        .put("met", mrSettled.jobsPerSec() >= H2_TARGET);
            }
            result.put("startedJobsPerSec", mr.jobsPerSec())
                    .put("baselineStartedJobsPerSec", bl.jobsPerSec())
                    .put("cpuMicrosPerJob", cpu[0] / 1e3 / mr.jobs)
                    .put("baselineCpuMicrosPerJob", cpu[1] / 1e3 / bl.jobs)
                    .put("cpuRatio", (double) cpu[0] / cpu[1])
                    .put("loadAverage", Cpu.loadAverage())
                    .print();
        }
        return 0;
    }

    /**
     * Loads, starts a Millrace node, times it; returns {nanos until all started, nanos until all written, process CPU
     * nanos over that time}.
     */
    private long[] millraceRound(Setup s, int jobs) throws InterruptedException {
        s.reset();
        try (Millrace m = s.node()) {
            Loader.millrace(m, s::tenant, jobs, 2);
            s.analyze();
            Probe probe = Probe.install();
            long c0 = Cpu.processNanos();
            long t0 = System.nanoTime();
            m.start();
            long started = probe.awaitStarted(jobs, TIMEOUT_MILLIS);
            long settled = Timed.awaitZero(s::millraceQueued, TIMEOUT_MILLIS);
            return new long[] {started - t0, settled - t0, Cpu.processNanos() - c0};
        }
    }

    /** Loads, starts a baseline node, times it; returns {nanos until all started, until all deleted, CPU nanos}. */
    private long[] baselineRound(Setup s, int jobs) throws InterruptedException {
        s.reset();
        Loader.baseline(s, jobs, 2);
        s.analyze();
        Probe probe = Probe.install();
        long c0 = Cpu.processNanos();
        long t0 = System.nanoTime();
        try (BaselineNode node = new BaselineNode(s.baseline, options.workers, options.batch).start()) {
            long started = probe.awaitStarted(jobs, TIMEOUT_MILLIS);
            long settled = Timed.awaitZero(s::baselineQueued, TIMEOUT_MILLIS);
            return new long[] {started - t0, settled - t0, Cpu.processNanos() - c0};
        }
    }
}
