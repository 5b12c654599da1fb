package dev.millrace.bench;

import dev.millrace.Millrace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/**
 * Single enqueue: one job per call, each its own committed transaction, from several producer threads; no node
 * is running. Millrace's {@code enqueue} against the baseline's one-row INSERT, rounds alternating.
 */
@Command(name = "enqueue-single", mixinStandardHelpOptions = true,
        description = {"One job per transaction from --producers threads (default 4); --jobs per system (default "
                + EnqueueSingle.DEFAULT_JOBS + "). Target on PostgreSQL: >= " + EnqueueSingle.TARGET + " x the baseline."})
final class EnqueueSingle implements Callable<Integer> {
    /** Enqueues per system: rounds of a few thousand (0.2 s) swung with a neighbour's burst more than between systems. */
    static final int DEFAULT_JOBS = 40_000;
    static final int DEFAULT_PRODUCERS = 4;
    static final double TARGET = 0.9;
    /**
     * Untimed calls per system first. The JIT compiles each system's enqueue path during its first thousands of calls
     * (C2 took 36–99 µs of CPU per job during Millrace's rounds after 300 warm-up calls, on two cores shared with
     * PostgreSQL): the rounds measure the steady state, as JMH's warm-up iterations would.
     */
    /**
     * Untimed enqueues per system first. After 5,000 the JIT was still compiling Millrace's path in the timed rounds
     * (process CPU per job 30.75-33.75 us against 25.75-26.75 after 40,000; the baseline's 22.25-22.75 either way).
     */
    static final int WARMUP = 40_000;

    @Mixin
    BenchOptions options;

    @Option(names = "--warmup-jobs", defaultValue = "" + WARMUP,
            description = "Untimed enqueues per system before the rounds (default: ${DEFAULT-VALUE}).")
    int warmupJobs;

    @Override
    public Integer call() throws Exception {
        options.validate();
        if (warmupJobs < 1 || warmupJobs > 1_000_000) {
            throw new IllegalArgumentException("--warmup-jobs " + warmupJobs + " is out of range: expected 1 to 1000000");
        }
        int jobs = options.jobsOr(DEFAULT_JOBS);
        int producers = options.producersOr(DEFAULT_PRODUCERS);
        int perRound = Math.max(1, jobs / options.rounds);
        try (Setup s = Setup.open(options, "single"); Millrace m = s.node()) {
            String payload = BenchJob.untimed().toJson();
            Round millrace = calls -> Timed.run(producers, calls, i -> m.enqueue(s.tenant(i), BenchJob.untimed()),
                    Timed.histogram());
            // The baseline serialises the job too, as any real queue must.
            Round baseline = calls -> Timed.run(producers, calls,
                    i -> s.baseline.enqueue(s.tenant(i).value(), BenchJob.untimed().toJson()), Timed.histogram());
            millrace.run(warmupJobs);
            baseline.run(warmupJobs);
            Timed.Tally mr = new Timed.Tally();
            Timed.Tally bl = new Timed.Tally();
            for (int r = 0; r < options.rounds; r++) {
                // Alternate who goes first, so a neighbour's burst does not always land on the same system.
                boolean millraceFirst = r % 2 == 0;
                for (int k = 0; k < 2; k++) {
                    boolean isMillrace = (k == 0) == millraceFirst;
                    Timed.Tally tally = isMillrace ? mr : bl;
                    long cpu = Cpu.processNanos();
                    long nanos = Timed.run(producers, perRound, isMillrace
                            ? i -> m.enqueue(s.tenant(i), BenchJob.untimed())
                            : i -> s.baseline.enqueue(s.tenant(i).value(), BenchJob.untimed().toJson()), tally.calls);
                    tally.cpuNanos += Cpu.processNanos() - cpu;
                    tally.add(perRound, nanos);
                }
            }
            Result.of("enqueue-single", options, s.db, mr.jobs)
                    .put("producers", producers)
                    .put("rounds", options.rounds)
                    .putRatio(mr.jobsPerSec(), bl.jobsPerSec(), TARGET)
                    .putLatency("", mr.calls)
                    .putLatency("baseline", bl.calls)
                    .put("payloadBytes", payload.length())
                    // The client's share of the two cores, which the database's backends use too.
                    .put("cpuMicrosPerJob", mr.cpuMicrosPerJob())
                    .put("baselineCpuMicrosPerJob", bl.cpuMicrosPerJob())
                    .print();
        }
        return 0;
    }

    /** One timed run of a system: {@code calls} enqueues; returns the elapsed nanoseconds. */
    @FunctionalInterface
    interface Round {
        long run(int calls) throws InterruptedException;
    }
}
