package dev.millrace.server.cli;

import dev.millrace.JobId;
import dev.millrace.JobPage;
import dev.millrace.JobQuery;
import dev.millrace.JobRecord;
import dev.millrace.JobStatus;
import dev.millrace.JobType;
import dev.millrace.Millrace;
import dev.millrace.TenantId;
import dev.millrace.examples.demo.DemoFeatures;
import dev.millrace.examples.demo.DemoWorkload;
import dev.millrace.schedule.ScheduleRecord;
import dev.millrace.server.Main;
import dev.millrace.testing.Db;
import dev.millrace.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs {@code millrace demo} in-process, the way the README's first command runs it. */
class DemoCommandTest {
    /** The summary's row for the whole run: jobs, then QUEUED, PROCESSING, COMPLETED, FAILED, ABORTED. */
    private static final Pattern ALL_ROW = Pattern.compile(
            "(?m)^  all\\s+([\\d,]+)\\s+([\\d,]+)\\s+([\\d,]+)\\s+([\\d,]+)\\s+([\\d,]+)\\s+([\\d,]+)\\s");

    /** The store line of a first run: every job of this run, the mix's 150 and those of the features beside it. */
    private static final Pattern FIRST_STORE = Pattern.compile(
            "Store: holds the ([\\d,]+) jobs of this run, the first on it\\.");
    /** Per tenant beside the mix: the nightly run, its batch, the capture and 3 dunning reminders. */
    private static final int FEATURE_JOBS_PER_TENANT = 1 + 1 + 1 + DemoFeatures.DUNNING_JOBS;

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
                .contains("Batches, schedules, events and flags (beside the mix; see the dashboard's pages):")
                .contains("nightly-ledger-reconciliation (0 0 2 * * ?), run once now,")
                .contains("intraday-ledger-reconciliation (0 * * * * ?): fired ")
                .contains("COMPLETED, 10 chunks of 200, 2 failed: reconciled 1,600 of 2,000 entries of ")
                .contains("chunk error: IllegalStateException: ledger entry L-000900 of ")
                .contains("chunk error: IllegalStateException: ledger entry L-001800 of ")
                .contains("PaymentEvent: CapturePayments (COMPLETED) published 20, subscription cash-book booked 20")
                .contains("flag dunning-reminders on: 3 SendDunningReminders COMPLETED")
                .contains("flag dunning-reminders off: 3 SendDunningReminders HOLDING until it is switched on")
                .doesNotContain("NOT all settled")
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
        int firstJobs = storeJobs(first);
        // More when the every-minute schedule fired during the run: its job and its batch per tenant.
        assertThat(firstJobs).isGreaterThanOrEqualTo(150 + 3 * FEATURE_JOBS_PER_TENANT);
        assertFeaturesStored();

        Run second = demo();

        assertThat(second.exit()).as("exit code; stderr:%n%s%nstdout:%n%s", second.err(), second.out()).isZero();
        assertThat(second.out())
                .containsPattern("Store: already holds [\\d,]+ jobs of acme, globex, initech from 1 earlier run"
                        + " \\(first at [^)]+\\); the others ended, 3 HOLDING while their feature flag is off\\.")
                .contains("All 150 jobs of the plan ended.")
                .contains("flag dunning-reminders off: 3 SendDunningReminders HOLDING")
                .containsPattern("Store: holds [\\d,]+ jobs of acme, globex, initech: [\\d,]+ from this run and [\\d,]+"
                        + " from 1 earlier run \\(first at ");
        Matcher earlier = Pattern.compile("already holds ([\\d,]+) jobs").matcher(second.out());
        assertThat(earlier.find()).isTrue();
        assertThat(parse(earlier.group(1))).as("jobs of the first run").isGreaterThanOrEqualTo(firstJobs);
    }

    private static List<JobRecord> allJobs(Millrace m, TenantId t) {
        List<JobRecord> all = new java.util.ArrayList<>();
        JobId cursor = null;
        do {
            JobPage page = m.jobs().find(JobQuery.forTenant(t).after(cursor).limit(JobQuery.MAX_LIMIT).build());
            all.addAll(page.jobs());
            cursor = page.nextCursor().orElse(null);
        } while (cursor != null);
        return all;
    }

    private static int storeJobs(Run run) {
        Matcher m = FIRST_STORE.matcher(run.out());
        assertThat(m.find()).as("the store line in%n%s", run.out()).isTrue();
        return parse(m.group(1));
    }

    private static int parse(String count) {
        return Integer.parseInt(count.replace(",", ""));
    }

    /**
     * Reads what the features left in the embedded store, through a node opened on it after the demo closed its
     * own: the schedules, the batch's chunk errors, the channel and subscription, the flags and the held jobs.
     */
    private void assertFeaturesStored() {
        try (Millrace m = DemoWorkload.register(Millrace.builder().dataDir(dir)).build()) {
            for (String name : List.of("acme", "globex", "initech")) {
                TenantId t = TenantId.of(name);
                assertThat(m.schedules().findByName(t, DemoFeatures.NIGHTLY_SCHEDULE)).get()
                        .extracting(ScheduleRecord::cron).isEqualTo(DemoFeatures.NIGHTLY_CRON);
                assertThat(m.schedules().findByName(t, DemoFeatures.INTRADAY_SCHEDULE)).get()
                        .extracting(ScheduleRecord::cron).isEqualTo(DemoFeatures.INTRADAY_CRON);

                List<JobRecord> batches = m.jobs().find(JobQuery.forTenant(t).type(JobType.BATCH).build()).jobs();
                // The nightly batch completed though two chunks failed, each naming the entry without a settlement.
                // (An every-minute batch may be there too, still running when the node closed.)
                assertThat(batches).as("batches of %s", t).anySatisfy(b -> {
                    assertThat(b.status()).isEqualTo(JobStatus.COMPLETED);
                    assertThat(m.batches().errors(t, b.id()))
                            .extracting(e -> e.failedRecordIds().contains("L-000900")
                                    || e.failedRecordIds().contains("L-001800"))
                            .containsExactly(true, true);
                });

                assertThat(m.events().channel(t, DemoFeatures.PAYMENT_CHANNEL)).isPresent();
                assertThat(m.events().subscriptions(t)).singleElement().satisfies(sub -> {
                    assertThat(sub.subscription()).isEqualTo(DemoFeatures.SUBSCRIPTION);
                    assertThat(sub.lag()).as("events not yet delivered").isZero();
                    assertThat(sub.checkpoint()).isPositive();
                });

                boolean on = !name.equals("initech");
                assertThat(m.flags().list(t)).containsEntry(DemoFeatures.DUNNING_FLAG, on);
                List<JobRecord> dunning = allJobs(m, t).stream()
                        .filter(j -> j.className().endsWith("SendDunningReminders")).toList();
                assertThat(dunning).hasSize(DemoFeatures.DUNNING_JOBS).extracting(JobRecord::status)
                        .containsOnly(on ? JobStatus.COMPLETED : JobStatus.HOLDING);
            }
        }
    }

    @Test
    void runsOnPostgresqlGivenAJdbcUrl() {
        try (TestDatabase db = TestDatabase.create(Db.POSTGRES, "DemoCommandTest")) {
            Run run = run("demo", "--data-dir", dir.toString(), "--jdbc-url", db.jdbcUrl(), "--user",
                    TestDatabase.PG_USER, "--schema", db.schema(), "--jobs", "150", "--no-progress");

            assertThat(run.exit()).as("exit code; stderr:%n%s%nstdout:%n%s", run.err(), run.out()).isZero();
            assertThat(run.out()).contains("on the database " + db.jdbcUrl() + " (schema " + db.schema() + ")",
                    "All 150 jobs of the plan ended.");
            assertThat(db.queryLong("SELECT COUNT(*) FROM \"" + db.schema() + "\".mr_job"))
                    .isGreaterThanOrEqualTo(storeJobs(run));
            // The nightly batches' failed chunks, two per tenant, and initech's reminders held by its flag.
            assertThat(db.queryLong("SELECT COUNT(*) FROM \"" + db.schema() + "\".mr_batch_error")).isEqualTo(6);
            assertThat(db.queryLong("SELECT COUNT(*) FROM \"" + db.schema() + "\".mr_job WHERE status = 'HOLDING'"
                    + " AND tenant_id = 'initech'")).isEqualTo(DemoFeatures.DUNNING_JOBS);
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
