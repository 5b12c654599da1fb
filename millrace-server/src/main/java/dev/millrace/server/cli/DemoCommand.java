package dev.millrace.server.cli;

import dev.millrace.JobId;
import dev.millrace.JobRecord;
import dev.millrace.JobStatus;
import dev.millrace.Millrace;
import dev.millrace.TenantId;
import dev.millrace.examples.demo.DemoFeatures;
import dev.millrace.examples.demo.DemoWorkload;
import dev.millrace.server.MillraceServer;
import dev.millrace.server.ServerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code millrace demo}: the first thing to run. It starts a node on a store (the embedded H2 file store by
 * default), enqueues a realistic mix of work for three tenants ({@link DemoWorkload}), shows progress while
 * the jobs drain, and ends with a summary per tenant computed from the job rows. Run it again on the same
 * store and the summary shows the earlier runs' jobs are still there.
 *
 * <p>It exits 0 when every job the plan makes has ended (failures included: some fail on purpose), and 1
 * when jobs are still active after the timeout or the run made a different number of jobs than planned;
 * either way it says which.
 */
@Command(name = "demo",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "Runs a node, enqueues a realistic mix of work for three tenants (invoice chains with e-mail futures,"
                    + " payment syncs retried by finalizers, receipts, a job that always fails, a refused"
                    + " duplicate), shows progress and ends with a summary per tenant.",
            "Run it twice: the second run shows the first run's jobs are still in the store."})
public final class DemoCommand implements Callable<Integer> {
    /** Jobs a run makes unless told otherwise: about 10 to 30 seconds on two cores. */
    public static final int DEFAULT_JOBS = 3_000;
    /** Worker threads unless told otherwise. */
    public static final int DEFAULT_WORKERS = 4;
    /** The server's port unless told otherwise. */
    public static final int DEFAULT_PORT = 8080;
    /** Seconds to wait for the run's jobs unless told otherwise. */
    public static final int DEFAULT_TIMEOUT_SECONDS = 120;
    /** How often, at most, the run's jobs are counted while they drain. */
    static final Duration POLL_INTERVAL = Duration.ofMillis(250);
    /** How long the batches, events and flags may take to settle once the mix has ended. */
    static final Duration FEATURES_SETTLE_TIME = Duration.ofSeconds(60);
    /** The most groups of stuck jobs listed after a timeout, largest first. */
    static final int STUCK_GROUPS_SHOWN = 8;
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    @Spec
    private CommandSpec spec;

    @Mixin
    private StoreOptions store;

    @Option(names = {"-n", "--jobs"}, paramLabel = "N", defaultValue = "" + DEFAULT_JOBS,
            description = "About how many jobs the run makes, chained children, futures, finalizers and retries"
                    + " included; split 6:3:1 between the tenants acme, globex and initech ("
                    + DemoWorkload.MIN_JOBS + " to " + DemoWorkload.MAX_JOBS + ", default: ${DEFAULT-VALUE}).")
    private int jobs;

    @Option(names = {"-w", "--workers"}, paramLabel = "N", defaultValue = "" + DEFAULT_WORKERS,
            description = "Worker threads of the node (1 to 1000, default: ${DEFAULT-VALUE}).")
    private int workers;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "" + DEFAULT_TIMEOUT_SECONDS,
            description = "How long to wait for the run's jobs to end before reporting what is stuck"
                    + " (1 to 86400, default: ${DEFAULT-VALUE}).")
    private int timeoutSeconds;

    @Option(names = {"-p", "--port"}, paramLabel = "PORT", defaultValue = "" + DEFAULT_PORT,
            description = "Port of the server (dashboard, REST API, metrics) on 127.0.0.1; when it is taken, a free"
                    + " one is used; 0 always picks a free one (default: ${DEFAULT-VALUE}).")
    private int port;

    @Option(names = "--exit-after-demo",
            description = "Stop the server and exit once the demo's jobs have ended (for scripts and CI); without"
                    + " it the server keeps running until Ctrl-C.")
    private boolean exitAfterDemo;

    @Option(names = "--no-progress",
            description = "Show no progress while the jobs run; the summary still prints. Without a terminal,"
                    + " progress is a plain line every 2 seconds.")
    private boolean noProgress;

    /** Creates the command; picocli fills in its options. */
    public DemoCommand() {
    }

    @Override
    public Integer call() throws Exception {
        checkRange("--jobs", jobs, DemoWorkload.MIN_JOBS, DemoWorkload.MAX_JOBS);
        checkRange("--workers", workers, 1, 1000);
        checkRange("--timeout", timeoutSeconds, 1, 86_400);
        checkRange("--port", port, 0, 65_535);
        Logging.toDirectory(store.dataDir());
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();

        DemoWorkload plan = DemoWorkload.of(jobs);
        String nodeId = EarlierRuns.NODE_PREFIX + UUID.randomUUID().toString().substring(0, 8);
        Millrace.Builder builder = DemoWorkload.register(store.apply(Millrace.builder()))
                .workers(workers)
                .nodeId(nodeId)
                // Every job has ended when the node closes; a shorter wait only matters after a timeout.
                .shutdownTimeout(Duration.ofSeconds(10));

        ProgressBar bar = new ProgressBar(err, ProgressBar.modeFor(noProgress), Terminal.unicode(), "Running");
        int exit;
        String adminKey = "demo-admin-" + UUID.randomUUID().toString().replace("-", "");
        try (Millrace millrace = open(builder); MillraceServer server = serve(millrace, adminKey, err)) {
            java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
            Thread hook = interruptHook(millrace, server, bar, err, stopped);
            try {
                exit = run(millrace, server, adminKey, plan, nodeId, bar, out, err);
                if (!exitAfterDemo) {
                    out.printf(Locale.ROOT, "%nThe server keeps running: dashboard %s/ , REST API %s/api/v1 ."
                            + " Press Ctrl-C to stop.%n", server.url(), server.url());
                    out.flush();
                    stopped.await();
                }
            } finally {
                removeHook(hook);
            }
        }
        out.printf(Locale.ROOT, "Node %s closed.%s%n", nodeId,
                exit == 0 ? " Run the demo again: these jobs will still be there." : "");
        out.flush();
        return exit;
    }

    /** Runs the demo on an open node: header, enqueue and progress, summary. Returns the exit code. */
    private int run(Millrace millrace, MillraceServer server, String adminKey, DemoWorkload plan, String nodeId,
                    ProgressBar bar, PrintWriter out, PrintWriter err) throws InterruptedException {
        List<TenantId> tenants = plan.tenantIds();
        JobScan scan = new JobScan(millrace.jobs(), millrace.tenants());
        // Taken before anything of this run is enqueued: every job of this run is created after it.
        // Millisecond precision, because stored timestamps may be coarser than the clock.
        Instant runStart = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        EarlierRuns before = EarlierRuns.scan(scan, tenants, job -> false, nodeId);

        out.printf(Locale.ROOT, "Millrace %s demo: node %s with %d workers on the %s%n", VersionProvider.version(),
                nodeId, workers, store.describe());
        out.println(describeEarlier(before, tenants));
        out.printf(Locale.ROOT, "Plan: %,d jobs for %d tenants (%s), children, futures, finalizers and retries"
                + " included%n", plan.expectedJobs(), tenants.size(), plan.tenants().stream()
                .map(p -> p.tenant() + " " + RunReport.count(p.expectedJobs())).collect(Collectors.joining(", ")));
        printServer(millrace, server, adminKey, tenants, out);
        out.flush();

        RunLineage lineage = new RunLineage();
        RunWatcher.Outcome outcome;
        DemoWorkload.Enqueued enqueued;
        List<DemoFeatures.Started> features;
        try (RunWatcher watcher = new RunWatcher(() -> Census.take(scan, tenants, runStart, lineage),
                plan.expectedJobs(), bar, POLL_INTERVAL)) {
            millrace.start();
            watcher.start();
            features = DemoFeatures.start(millrace, tenants, plan.gateways());
            enqueued = plan.enqueue(millrace, "BR-" + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)
                    .withZone(ZoneOffset.UTC).format(runStart), lineage::addRoot);
            watcher.enqueueDone(enqueued.expectedJobs());
            outcome = watcher.await(Duration.ofSeconds(timeoutSeconds));
        }

        Map<TenantId, List<JobRecord>> runJobs = new LinkedHashMap<>();
        for (TenantId t : tenants) runJobs.put(t, lineage.select(scan.listSince(t, runStart)));
        RunReport report = new RunReport(runJobs);
        printSummary(out, report, enqueued);
        // The batches, schedules, events and flags run beside the mix; they have had its whole run to settle.
        boolean settled = outcome == RunWatcher.Outcome.ENDED
                && DemoFeatures.awaitSettled(millrace, features, FEATURES_SETTLE_TIME);
        printFeatures(out, millrace, features, settled);
        // This run's jobs: the mix's (lineage), and everything created since it began, which includes the
        // batches, schedule runs and held reminders beside it, and a schedule firing while the store is read.
        Set<JobId> lineageIds = runJobs.values().stream().flatMap(List::stream).map(JobRecord::id)
                .collect(Collectors.toSet());
        Set<JobId> ours = new java.util.HashSet<>();
        // Read again rather than derived from the first scan: the node prunes jobs past retention when it
        // starts, and finishing an earlier run's leftovers makes jobs of its own; the store is the record.
        EarlierRuns after = EarlierRuns.scan(scan, tenants, job -> {
            boolean mine = lineageIds.contains(job.id()) || !job.createdAt().isBefore(runStart);
            if (mine) ours.add(job.id());
            return mine;
        }, nodeId);
        out.println(describeStore(ours.size(), after, tenants));
        int exit = printOutcome(out, err, outcome, runJobs, plan, enqueued.expectedJobs());
        if (exit == 0 && !settled) {
            err.printf(Locale.ROOT, "The batches, payment events and dunning reminders of this run did not settle"
                    + " within %d s of the mix ending.%n", FEATURES_SETTLE_TIME.toSeconds());
            exit = 1;
        }
        out.flush();
        return exit;
    }

    /** Starts the server on the demo's node: loopback only, a fresh admin key, the demo's jobs and batches submittable. */
    private MillraceServer serve(Millrace millrace, String adminKey, PrintWriter err) {
        try {
            return MillraceServer.builder(serverConfig(port, adminKey)).millrace(millrace, false)
                    .jobTypes(DemoWorkload.jobTypes())
                    .batchTypes(DemoWorkload.batchTypes()).start();
        } catch (RuntimeException e) {
            if (port == 0 || !portTaken(e)) throw e;
            err.printf(Locale.ROOT, "Port %d is taken; the server uses a free port instead (see below).%n", port);
            return MillraceServer.builder(serverConfig(0, adminKey)).millrace(millrace, false)
                    .jobTypes(DemoWorkload.jobTypes())
                    .batchTypes(DemoWorkload.batchTypes()).start();
        }
    }

    private ServerConfig serverConfig(int p, String adminKey) {
        return ServerConfig.load(null, Map.of(), Map.of("server.host", "127.0.0.1", "server.port", Integer.toString(p),
                "admin.key", adminKey, "store.data-dir", store.dataDir().toString()));
    }

    private static boolean portTaken(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof java.net.BindException) return true;
        }
        return false;
    }

    /** The addresses, the keys of this run and a command to try. */
    private static void printServer(Millrace millrace, MillraceServer server, String adminKey, List<TenantId> tenants,
                                    PrintWriter out) {
        out.printf(Locale.ROOT, "Dashboard: %s/%n", server.url());
        out.printf(Locale.ROOT, "REST API:  %s/api/v1 (OpenAPI: %s%s), admin key %s%n", server.url(), server.url(),
                MillraceServer.OPENAPI_PATH, adminKey);
        String first = null;
        for (TenantId t : tenants) {
            millrace.tenants().create(t);
            String key = millrace.apiKeys().issue(t, "demo").secret();
            if (first == null) first = key;
            out.printf(Locale.ROOT, "  key of %-8s %s%n", t + ":", key);
        }
        out.printf(Locale.ROOT, "Try: curl -H 'Authorization: Bearer %s' '%s/api/v1/jobs?status=FAILED&limit=5'%n",
                first, server.url());
    }

    private void checkRange(String option, int value, int min, int max) {
        if (value < min || value > max) {
            throw new ParameterException(spec.commandLine(), String.format(Locale.ROOT,
                    "%s %,d is out of range: expected %,d to %,d", option, value, min, max));
        }
    }

    /** Opens the node, turning an embedded store held by another process into a message that says so. */
    private Millrace open(Millrace.Builder builder) {
        try {
            return builder.build();
        } catch (RuntimeException e) {
            for (Throwable c = e; c != null; c = c.getCause()) {
                // H2's "database may be already in use": its file lock is held by another process.
                if (c instanceof SQLException sql && sql.getErrorCode() == 90020) {
                    throw new IllegalStateException("the " + store.describe() + " is in use by another process"
                            + " (another millrace demo or server?): stop it, or pass another --data-dir", e);
                }
            }
            throw e;
        }
    }

    private static String describeEarlier(EarlierRuns before, List<TenantId> tenants) {
        if (before.jobs() == 0) return "Store: no jobs of " + names(tenants) + " yet; this is the first run on it.";
        String unfinished = before.unfinished() == 0 ? "" : RunReport.count(before.unfinished())
                + " not ended yet; this node runs them too";
        String held = before.held() == 0 ? "" : RunReport.count(before.held())
                + " HOLDING while their feature flag is off";
        if (unfinished.isEmpty() && held.isEmpty()) unfinished = "all ended";
        else if (unfinished.isEmpty()) unfinished = "the others ended, " + held;
        else if (!held.isEmpty()) unfinished += "; " + held;
        return String.format(Locale.ROOT, "Store: already holds %,d jobs of %s %s (first at %s); %s.",
                before.jobs(), names(tenants), runs(before.runs()), WHEN.format(before.first()), unfinished);
    }

    private static String describeStore(int thisRun, EarlierRuns earlier, List<TenantId> tenants) {
        if (earlier.jobs() == 0) {
            return String.format(Locale.ROOT, "Store: holds the %,d jobs of this run, the first on it.", thisRun);
        }
        return String.format(Locale.ROOT, "Store: holds %,d jobs of %s: %,d from this run and %,d %s"
                        + " (first at %s), still there after their node stopped.", thisRun + earlier.jobs(),
                names(tenants), thisRun, earlier.jobs(), runs(earlier.runs()), WHEN.format(earlier.first()));
    }

    /** The earlier runs, counted by the demo nodes that ran their jobs. */
    private static String runs(int n) {
        if (n == 0) return "from before this run";
        return n == 1 ? "from 1 earlier run" : "from " + RunReport.count(n) + " earlier runs";
    }

    private static String names(List<TenantId> tenants) {
        return tenants.stream().map(TenantId::value).collect(Collectors.joining(", "));
    }

    private static void printSummary(PrintWriter out, RunReport report, DemoWorkload.Enqueued enqueued) {
        out.println();
        out.println("Jobs of this run by status (wait: from ready to started):");
        out.print(report.statusTable());
        out.println();
        out.println("By type:");
        out.print(report.typeTable());
        out.println();
        out.println("Lineage: " + report.lineage() + ".");
        List<String> failures = report.failures();
        if (!failures.isEmpty()) {
            out.println("Failed on purpose (the ledger target is gone; one gateway stays down past every retry):");
            failures.forEach(f -> out.println("  " + f));
        }
        out.println("Refused at enqueue (duplicate signature, nothing stored):");
        for (DemoWorkload.Refusal r : enqueued.refusals()) {
            out.println("  " + r.tenant() + ": " + r.message()
                    + (r.ofFirstRequest() ? " (an earlier run's recalculation still held it)" : ""));
        }
    }

    /** The summary's section for the batches, schedules, channels and flags, tenant by tenant. */
    private static void printFeatures(PrintWriter out, Millrace millrace, List<DemoFeatures.Started> features,
                                      boolean settled) {
        out.println();
        out.println("Batches, schedules, events and flags (beside the mix; see the dashboard's pages"
                + (settled ? "" : "; NOT all settled yet") + "):");
        DemoFeatures.report(millrace, features).forEach(out::println);
        out.println();
    }

    /** Says how the run ended; on a timeout or a count mismatch, says what is stuck or missing. */
    private static int printOutcome(PrintWriter out, PrintWriter err, RunWatcher.Outcome outcome,
                                    Map<TenantId, List<JobRecord>> runJobs, DemoWorkload plan, int expected) {
        int found = runJobs.values().stream().mapToInt(List::size).sum();
        switch (outcome) {
            case ENDED -> {
                out.printf(Locale.ROOT, "All %,d jobs of the plan ended.%n", found);
                return 0;
            }
            case MISMATCH -> {
                err.printf(Locale.ROOT, "The run made %,d jobs but the plan expects %,d; per tenant: %s%n", found,
                        expected, plan.tenants().stream().map(p -> p.tenant() + " "
                                + runJobs.get(p.tenant()).size() + "/" + p.expectedJobs())
                                .collect(Collectors.joining(", ")));
                return 1;
            }
            default -> {
                List<JobRecord> active = runJobs.values().stream().flatMap(List::stream)
                        .filter(j -> !j.status().isTerminal()).toList();
                err.printf(Locale.ROOT, "Timed out: %,d of the %,d planned jobs ended; %,d were still active and %,d"
                                + " not created yet. Still active, by tenant, status and class:%n",
                        found - active.size(), expected, active.size(), Math.max(0, expected - found));
                printStuck(err, active);
                err.println("They stay in the store; a node started on it later runs them.");
                return 1;
            }
        }
    }

    /** The largest groups of jobs that had not ended, with the oldest job of each. */
    private static void printStuck(PrintWriter err, List<JobRecord> active) {
        Map<String, List<JobRecord>> groups = active.stream().collect(Collectors.groupingBy(
                j -> j.tenant() + " " + j.status() + " " + RunReport.simpleName(j.className()),
                TreeMap::new, Collectors.toList()));
        groups.entrySet().stream()
                .sorted(Comparator.comparingInt((Map.Entry<String, List<JobRecord>> e) -> e.getValue().size())
                        .reversed())
                .limit(STUCK_GROUPS_SHOWN)
                .forEach(e -> {
                    // Pages come newest first, so a group's last job is its oldest.
                    JobRecord oldest = e.getValue().get(e.getValue().size() - 1);
                    err.printf(Locale.ROOT, "  %s ×%,d, oldest %s created %s%s%n", e.getKey(), e.getValue().size(),
                            oldest.id(), WHEN.format(oldest.createdAt()),
                            oldest.status() == JobStatus.PROCESSING ? " on node " + oldest.node() : "");
                });
        if (groups.size() > STUCK_GROUPS_SHOWN) {
            err.printf(Locale.ROOT, "  … and %d smaller groups%n", groups.size() - STUCK_GROUPS_SHOWN);
        }
    }

    /**
     * On Ctrl-C, closes the server and the node so claimed jobs are released and the embedded store is closed cleanly;
     * whatever had not run stays stored and runs on the next start.
     */
    private static Thread interruptHook(Millrace millrace, MillraceServer server, ProgressBar bar, PrintWriter err,
                                        java.util.concurrent.CountDownLatch stopped) {
        Thread hook = new Thread(() -> {
            bar.abandon();
            err.println("Interrupted: closing the server and the node; jobs that have not run stay in the store for"
                    + " the next start.");
            err.flush();
            server.close();
            millrace.close();
            stopped.countDown();
        }, "millrace-demo-interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down: the hook is running or has run.
        }
    }
}
