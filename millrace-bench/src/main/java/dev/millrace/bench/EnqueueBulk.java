package dev.millrace.bench;

import dev.millrace.AsyncOptions;
import dev.millrace.Millrace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Bulk enqueue: chunks of jobs, each chunk one transaction; no node is running. Millrace's
 * {@code enqueueAll} against the baseline's one multi-row INSERT per chunk, rounds alternating.
 */
@Command(name = "enqueue-bulk", mixinStandardHelpOptions = true,
        description = {"Chunks of --chunk jobs (default " + EnqueueBulk.DEFAULT_CHUNK + "), one transaction each, from "
                + "--producers threads (default " + EnqueueBulk.DEFAULT_PRODUCERS + "); --jobs per system (default "
                + EnqueueBulk.DEFAULT_JOBS + "). Target on PostgreSQL: >= " + EnqueueBulk.TARGET + " x the baseline."})
final class EnqueueBulk implements Callable<Integer> {
    static final int DEFAULT_JOBS = 200_000;
    static final int DEFAULT_CHUNK = 1000;
    static final int DEFAULT_PRODUCERS = 2;
    static final double TARGET = 0.6;
    static final int WARMUP_JOBS = 300_000;

    @Mixin
    BenchOptions options;

    @Option(names = "--chunk", defaultValue = "1000", description = "Jobs per enqueueAll call (default: ${DEFAULT-VALUE}).")
    int chunk;

    @Option(names = "--warmup-jobs", defaultValue = "" + WARMUP_JOBS,
            description = "Untimed jobs per system before the rounds (default: ${DEFAULT-VALUE}).")
    int warmupJobs;

    @Override
    public Integer call() throws Exception {
        options.validate();
        if (chunk < 1 || chunk > 100_000) {
            throw new IllegalArgumentException("--chunk " + chunk + " is out of range: expected 1 to 100000");
        }
        if (warmupJobs < 0 || warmupJobs > 10_000_000) {
            throw new IllegalArgumentException("--warmup-jobs " + warmupJobs + " is out of range: expected 0 to 10000000");
        }
        int jobs = options.jobsOr(DEFAULT_JOBS);
        int producers = options.producersOr(DEFAULT_PRODUCERS);
        int chunksPerRound = Math.max(1, jobs / options.rounds / chunk);
        try (Setup s = Setup.open(options, "bulk"); Millrace m = s.node()) {
            EnqueueSingle.Round warmMillrace = calls -> Timed.run(producers, calls, i -> millraceChunk(m, s, i), Timed.histogram());
            EnqueueSingle.Round warmBaseline = calls -> Timed.run(producers, calls, i -> baselineChunk(s, i), Timed.histogram());
            // Warm-up: 300,000 jobs per system. After 50,000 the JIT was still compiling Millrace's longer path in the
            // timed rounds (its process CPU per job 2.65-3.05 us against 1.15-1.5 after 300,000; the baseline's rate
            // the same either way; BENCHMARKS.md, "Latest").
            warmMillrace.run(Math.max(2, warmupJobs / chunk));
            warmBaseline.run(Math.max(2, warmupJobs / chunk));
            s.reset();
            Timed.Tally mr = new Timed.Tally();
            Timed.Tally bl = new Timed.Tally();
            for (int r = 0; r < options.rounds; r++) {
                boolean millraceFirst = r % 2 == 0;
                for (int k = 0; k < 2; k++) {
                    boolean isMillrace = (k == 0) == millraceFirst;
                    Timed.Tally tally = isMillrace ? mr : bl;
                    long cpu = Cpu.processNanos();
                    long nanos = Timed.run(producers, chunksPerRound,
                            isMillrace ? i -> millraceChunk(m, s, i) : i -> baselineChunk(s, i), tally.calls);
                    tally.cpuNanos += Cpu.processNanos() - cpu;
                    tally.add((long) chunksPerRound * chunk, nanos);
                }
            }
            Result.of("enqueue-bulk", options, s.db, mr.jobs)
                    .put("chunk", chunk)
                    .put("producers", producers)
                    .put("rounds", options.rounds)
                    .putRatio(mr.jobsPerSec(), bl.jobsPerSec(), TARGET)
                    // Latencies here are per chunk (one enqueueAll call), not per job.
                    .putLatency("", mr.calls)
                    .putLatency("baseline", bl.calls)
                    // The client's share of the two cores, which the database's backends use too.
                    .put("cpuMicrosPerJob", mr.cpuMicrosPerJob())
                    .put("baselineCpuMicrosPerJob", bl.cpuMicrosPerJob())
                    .print();
        }
        return 0;
    }

    private void millraceChunk(Millrace m, Setup s, int i) {
        List<BenchJob> jobs = new ArrayList<>(chunk);
        for (int j = 0; j < chunk; j++) jobs.add(BenchJob.untimed());
        m.enqueueAll(s.tenant(i), jobs, AsyncOptions.none());
    }

    private void baselineChunk(Setup s, int i) {
        List<String> payloads = new ArrayList<>(chunk);
        for (int j = 0; j < chunk; j++) payloads.add(BenchJob.untimed().toJson());
        s.baseline.enqueueAll(s.tenant(i).value(), payloads);
    }
}
