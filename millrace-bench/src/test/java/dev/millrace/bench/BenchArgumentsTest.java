package dev.millrace.bench;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** A workload refuses an out-of-range argument before it opens a database, naming the value and the range. */
class BenchArgumentsTest {

    /** Runs the bench's command line; returns the exit code and what it wrote to standard error. */
    private static Outcome run(String... args) {
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new Main());
        cmd.setErr(new PrintWriter(err, true));
        int code = cmd.execute(args);
        return new Outcome(code, err.toString());
    }

    private record Outcome(int code, String err) {
    }

    @Test
    void bulkEnqueueRefusesANegativeWarmUp() {
        Outcome o = run("enqueue-bulk", "--warmup-jobs", "-5");
        assertThat(o.code()).isNotZero();
        assertThat(o.err()).contains("--warmup-jobs -5 is out of range: expected 0 to 10000000");
    }

    @Test
    void singleEnqueueRefusesAWarmUpOfNothing() {
        Outcome o = run("enqueue-single", "--warmup-jobs", "0");
        assertThat(o.code()).isNotZero();
        assertThat(o.err()).contains("--warmup-jobs 0 is out of range: expected 1 to 1000000");
    }

    @Test
    void bulkEnqueueRefusesAChunkOfNothing() {
        Outcome o = run("enqueue-bulk", "--chunk", "0");
        assertThat(o.code()).isNotZero();
        assertThat(o.err()).contains("--chunk 0 is out of range: expected 1 to 100000");
    }
}
