package dev.millrace.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The bench's entry point: {@code java -jar millrace-bench.jar WORKLOAD [options]}. Each workload prints one
 * {@code RESULT {json}} line per measurement; see BENCHMARKS.md for the figures and how they were taken.
 */
@Command(name = "millrace-bench", mixinStandardHelpOptions = true, version = "millrace-bench 0.1.0",
        subcommands = {EnqueueSingle.class, EnqueueBulk.class, Drain.class, Latency.class, Fairness.class, Depth.class,
                Shares.class, GovernorLoad.class, CursorBench.class, EventsWorkload.class, LimitsOverhead.class,
                Schedules.class, BatchBench.class},
        description = {"End-to-end benchmarks of Millrace against a hand-written SKIP LOCKED queue in the same process.",
                "Each workload ends with a line 'RESULT {json}'. Run 'WORKLOAD --help' for its options and defaults."},
        footer = {"", "Example: java -jar millrace-bench.jar drain --db postgres --jobs 30000 --workers 8 --batch 64"})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Runs a workload and exits with its status. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    /** With no workload named, prints the usage: the workloads and what each measures. */
    @Override
    public void run() {
        // No workload named: show what there is.
        spec.commandLine().usage(System.out);
    }
}
