package dev.millrace.reliability;

import dev.millrace.testing.TestDatabase;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * A Millrace node in a JVM of its own ({@link ChildNode}) on a PostgreSQL schema: started with the test's own
 * java and class path, its output in {@code target/reliability/}. Closing it kills it if it still runs, so
 * register it with {@code closeAfter} and a failing test leaves no process behind. It also exits by itself
 * when this JVM dies (its standard input closes).
 */
final class ChildJvm implements AutoCloseable {
    /** Exit status of a JVM killed by SIGKILL (128 + 9). */
    static final int SIGKILL_EXIT = 137;

    private final String nodeId;
    private final Process process;
    private final Path log;

    private ChildJvm(String nodeId, Process process, Path log) {
        this.nodeId = nodeId;
        this.process = process;
        this.log = log;
    }

    /** Starts a child node on the schema; it runs {@link RecordingJobs.RecordRun} jobs. */
    static ChildJvm start(String nodeId, String schema, Duration lease, int workers) {
        return start(nodeId, schema, lease, workers, ChildNode.class);
    }

    /** Starts a child node whose main class (taking {@link ChildNode}'s arguments) registers its own jobs. */
    static ChildJvm start(String nodeId, String schema, Duration lease, int workers, Class<?> main) {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-cp", classPath(), main.getName(),
                url(nodeId), TestDatabase.PG_USER, schema, nodeId, Long.toString(lease.toMillis()),
                Integer.toString(workers)));
        try {
            Path dir = Files.createDirectories(Path.of("target", "reliability"));
            Path log = dir.resolve(nodeId + "-" + System.currentTimeMillis() + ".log");
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(log.toFile())).start();
            return new ChildJvm(nodeId, p, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start child JVM " + command, e);
        }
    }

    /** The test database's URL, naming the node in each session so the test can see when they are gone. */
    private static String url(String nodeId) {
        return TestDatabase.PG_URL + (TestDatabase.PG_URL.contains("?") ? "&" : "?") + "ApplicationName="
                + applicationName(nodeId);
    }

    private static String applicationName(String nodeId) {
        return "millrace-child-" + nodeId;
    }

    /**
     * The test class path. Surefire may start this JVM from a manifest-only jar; its path then names the real
     * one in {@code surefire.test.class.path}, and the jar itself would also do, since {@code -cp} honours a
     * jar's manifest Class-Path.
     */
    private static String classPath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
    }

    String nodeId() {
        return nodeId;
    }

    /** Waits until the child's node runs (it printed {@link ChildNode#STARTED}); fails at once if it died. */
    ChildJvm awaitStarted() {
        await("child node " + nodeId + " to start").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    assertAlive();
                    return output().contains(ChildNode.STARTED + nodeId);
                });
        return this;
    }

    /** Throws, with the child's output, when it is no longer running. */
    void assertAlive() {
        if (!process.isAlive()) {
            throw new AssertionError("child node " + nodeId + " exited with " + process.exitValue() + "; its output:\n"
                    + tail());
        }
    }

    /** kill -9: SIGKILL, then waits for the process to be gone; returns its exit status. */
    int kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) throw new AssertionError("child node " + nodeId + " survived SIGKILL");
        return process.exitValue();
    }

    /**
     * Waits until PostgreSQL has ended every session of the (dead) child: after that nothing the child sent can
     * still commit, so what the test reads is final.
     */
    void awaitSessionsGone(TestDatabase db) {
        await("PostgreSQL to end the sessions of " + nodeId).atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50)).until(() -> sessions(db) == 0);
    }

    /** How many PostgreSQL sessions the child has open. */
    long sessions(TestDatabase db) {
        return db.queryLong("SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = '"
                + applicationName(nodeId) + "'");
    }

    /** Asks the node to close (closes its standard input) and waits for it to exit; returns its exit status. */
    int stop(Duration timeout) throws InterruptedException, IOException {
        process.getOutputStream().close();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("child node " + nodeId + " did not stop within " + timeout + "; its output:\n" + tail());
        }
        return process.exitValue();
    }

    /** Everything the child printed so far. */
    String output() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }

    private String tail() {
        String out = output();
        return out.length() <= 4000 ? out : "…" + out.substring(out.length() - 4000);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Override
    public String toString() {
        return "child node " + nodeId + " (pid " + process.pid() + ", output " + log.toAbsolutePath() + ")";
    }
}
