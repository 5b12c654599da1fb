package dev.millrace.server.cli;

import dev.millrace.server.Main;
import dev.millrace.testing.Db;
import dev.millrace.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs {@code millrace demo} in-process, the way the README's first command runs it. */
class DemoCommandTest {
    /** The summary's row for the whole run: jobs, then QUEUED, PROCESSING, COMPLETED, FAILED, ABORTED. */
    private static final Pattern ALL_ROW = Pattern.compile(
            "(?m)^  all\\s+([\\d,]+)\\s+([\\d,]+)\\s+([\\d,]+)\\s+([\\d,]+)\\s+([\\d,]+)\\s+([\\d,]+)\\s");

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        String[] all = args;
        if (args.length > 0 && args[0].equals("demo") && !java.util.Arrays.asList(args).contains("--help")) {
            // Tests never wait for Ctrl-C, and never fight over a port.
            all = java.util.stream.Stream.concat(java.util.Arrays.stream(args),
                    java.util.stream.Stream.of("--exit-after-demo", "--port", "0")).toArray(String[]::new);
        }
        int exit = cli.execute(all);
        return new Run(exit, out.toString(), err.toString());
    }

    private Run demo() {
        return run("demo", "--data-dir", dir.toString(), "--jobs", "150", "--workers", "4", "--timeout", "60",
                "--no-progress");
    }

    @Test
    void runsTwiceAndTheSecondRunFindsTheFirstRunsJobs() {
        Run first = demo();

        assertThat(first.exit()).as("exit code; stderr:%n%s%nstdout:%n%s", first.err(), first.out()).isZero();
        assertThat(first.out())
                .contains("on the embedded H2 file store in " + dir.toAbsolutePath().normalize())
                .contains("this is the first run on it")
                .contains("All 150 jobs of the plan ended.")
                .contains("  acme ", "  globex ", "  initech ")
                .contains("ExportLedger ×3 (acme 1, globex 1, initech 1): IllegalStateException: ledger export target")
                .contains("SyncPayments ×")
                .contains("acme: attempt to enqueue job with duplicate queueable signature")
                .contains("initech: attempt to enqueue job with duplicate queueable signature")
                .contains("Store: holds the 150 jobs of this run, the first on it.")
                .contains("Dashboard: http://127.0.0.1:").contains("key of acme:    mr_")
                .contains("closed. Run the demo again");
        Matcher all = ALL_ROW.matcher(first.out());
        assertThat(all.find()).as("the summary's 'all' row in%n%s", first.out()).isTrue();
        assertThat(all.group(1)).as("jobs").isEqualTo("150");
        assertThat(all.group(2)).as("QUEUED").isEqualTo("0");
        assertThat(all.group(3)).as("PROCESSING").isEqualTo("0");
        // 3 ledger exports, and per tenant: the failed first tries of payment syncs and 4 attempts of the outage.
        assertThat(Integer.parseInt(all.group(5))).as("FAILED").isGreaterThan(3 + 3 * 4);
        assertThat(Integer.parseInt(all.group(4)) + Integer.parseInt(all.group(5))).isEqualTo(150);
        assertThat(dir.resolve("millrace.mv.db")).exists();

        Run second = demo();

        assertThat(second.exit()).as("exit code; stderr:%n%s%nstdout:%n%s", second.err(), second.out()).isZero();
        assertThat(second.out())
                .contains("Store: already holds 150 jobs of acme, globex, initech from 1 earlier run (first at ")
                .contains("All 150 jobs of the plan ended.")
                .contains("Store: holds 300 jobs of acme, globex, initech: 150 from this run and 150 from 1 earlier"
                        + " run (first at ");
    }

    @Test
    void runsOnPostgresqlGivenAJdbcUrl() {
        try (TestDatabase db = TestDatabase.create(Db.POSTGRES, "DemoCommandTest")) {
            Run run = run("demo", "--data-dir", dir.toString(), "--jdbc-url", db.jdbcUrl(), "--user",
                    TestDatabase.PG_USER, "--schema", db.schema(), "--jobs", "150", "--no-progress");

            assertThat(run.exit()).as("exit code; stderr:%n%s%nstdout:%n%s", run.err(), run.out()).isZero();
            assertThat(run.out()).contains("on the database " + db.jdbcUrl() + " (schema " + db.schema() + ")",
                    "All 150 jobs of the plan ended.");
            assertThat(db.queryLong("SELECT COUNT(*) FROM \"" + db.schema() + "\".mr_job")).isEqualTo(150);
            // The embedded store was not touched; the data folder only holds the log file, if anything.
            assertThat(dir.resolve("millrace.mv.db")).doesNotExist();
        }
    }

    @Test
    void aSizeOutOfRangeIsRefusedNamingTheValueAndTheRange() {
        Run run = run("demo", "--data-dir", dir.toString(), "--jobs", "5");

        assertThat(run.exit()).isEqualTo(2);
        // The one line that says what was wrong, and where the help is; not the whole usage text.
        assertThat(run.err()).isEqualTo("--jobs 5 is out of range: expected 60 to 1,000,000" + System.lineSeparator()
                + "Run 'millrace demo --help' for its options." + System.lineSeparator());
        assertThat(dir.resolve("millrace.mv.db")).doesNotExist();
    }

    @Test
    void aUserWithoutAJdbcUrlIsRefused() {
        Run run = run("demo", "--data-dir", dir.toString(), "--user", "millrace");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("--user 'millrace' is only used with --jdbc-url");
    }

    @Test
    void anUnsupportedJdbcUrlIsRefusedNamingIt() {
        Run run = run("demo", "--data-dir", dir.toString(), "--jdbc-url", "jdbc:mysql://localhost/millrace");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("jdbc url 'jdbc:mysql://localhost/millrace' is not supported");
    }

    @Test
    void anUnknownOptionIsAUsageError() {
        Run run = run("demo", "--jobz", "10");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("Unknown options: '--jobz'", "Possible solutions: --jobs");
    }

    @Test
    void withoutACommandItSaysWhichCommandsExist() {
        Run run = run();

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("Missing command: expected one of demo");
    }

    @Test
    void helpAndVersionWork() {
        Run help = run("demo", "--help");
        Run version = run("--version");

        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("Usage: millrace demo", "--data-dir=DIR", "--jobs=N", "--workers=N",
                "--jdbc-url=URL", "--no-progress");
        assertThat(version.exit()).isZero();
        assertThat(version.out()).containsPattern("millrace \\d+\\.\\d+\\.\\d+");
    }
}
