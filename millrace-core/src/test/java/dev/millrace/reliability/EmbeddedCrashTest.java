package dev.millrace.reliability;

import dev.millrace.JobId;
import dev.millrace.Millrace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedded H2 file store keeps its promise when its process is killed: every enqueue that returned is there when
 * the store is opened again. (H2 by default writes commits to its file up to half a second later, in the
 * background; a SIGKILL then lost hundreds of acknowledged inserts.)
 */
class EmbeddedCrashTest {
    private static final int ACKNOWLEDGED_BEFORE_KILL = 400;

    @TempDir
    Path dataDir;

    @Test
    void killedProcessLosesNoAcknowledgedEnqueue() throws Exception {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String cp = System.getProperty("surefire.test.class.path");
        if (cp == null || cp.isBlank()) cp = System.getProperty("java.class.path");
        Process child = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", cp,
                EmbeddedEnqueuer.class.getName(), dataDir.toString()).redirectErrorStream(true).start();
        List<UUID> acknowledged = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (!line.startsWith(EmbeddedEnqueuer.ACKNOWLEDGED)) continue;
                acknowledged.add(UUID.fromString(line.substring(EmbeddedEnqueuer.ACKNOWLEDGED.length())));
                if (acknowledged.size() == ACKNOWLEDGED_BEFORE_KILL) break;
            }
            // SIGKILL while it keeps enqueueing: no shutdown hook, no close, no flush. (Ids it printed after the ones
            // read here are not checked: a subset of the acknowledged ones is enough.)
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("the child ended").isTrue();
        } finally {
            child.destroyForcibly();
        }
        assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(ACKNOWLEDGED_BEFORE_KILL);

        try (Millrace reopened = Millrace.builder().dataDir(dataDir).register(RecordingJobs.RecordRun.class).build()) {
            List<UUID> missing = acknowledged.stream()
                    .filter(id -> reopened.jobs().find(EmbeddedEnqueuer.TENANT, JobId.of(id)).isEmpty())
                    .toList();
            assertThat(missing).as("acknowledged enqueues missing after the kill").isEmpty();
        }
    }
}
