package dev.millrace.reliability;

import dev.millrace.AsyncOptions;
import dev.millrace.JobId;
import dev.millrace.JobQuery;
import dev.millrace.JobRecord;
import dev.millrace.JobStatus;
import dev.millrace.Millrace;
import dev.millrace.TenantId;
import dev.millrace.reliability.RecordingJobs.Hold;
import dev.millrace.reliability.RecordingJobs.RecordRun;
import dev.millrace.reliability.RunsTable.Run;
import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import dev.millrace.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.millrace.testing.Jobs.awaitStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Closing a node: what it claimed but never started goes back to the queue; what it runs finishes or is rescued. */
class ShutdownTest extends DatabaseTest {
    static final TenantId ACME = TenantId.of("acme");
    static final Duration LEASE = Duration.ofSeconds(1);

    @BeforeEach
    void resetSignals() {
        Signals.reset();
    }

    @AfterEach
    void openGates() {
        Signals.reset();
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void closingANodeReleasesJobsItClaimedButNeverStartedAndLetsItsRunningJobFinish(Db db) throws Exception {
        TestDatabase d = database(db);
        // One worker and a prefetch of one claim batch (4): it runs the holding job and holds three or four more it
        // cannot start (on H2 a claim of less than half a batch waits while the workers have work, so the first claim's
        // four are all it takes there).
        Millrace leaving = node(d.builder().nodeId("leaving").workers(1).claimBatchSize(4).lease(LEASE)
                .shutdownTimeout(Duration.ofSeconds(30)).register(Hold.class).register(RecordRun.class));
        RunsTable runs = RunsTable.create(d);
        tenants(leaving, ACME);
        JobId running = leaving.enqueue(ACME, new Hold(d.schema(), "leaving", 1));
        List<JobId> waiting = leaving.enqueueAll(ACME, Collections.nCopies(5, new RecordRun(d.schema())),
                AsyncOptions.none());
        leaving.start();
        Signals.awaitStarted(running, 1);
        List<JobId> claimedNotStarted = await("the node to fill its prefetch").atMost(Duration.ofSeconds(10))
                .until(() -> processingOn(leaving, "leaving"), ids -> ids.size() >= 4)
                .stream().filter(id -> !id.equals(running)).toList();
        assertThat(waiting).containsAll(claimedNotStarted);

        CompletableFuture<Void> closing = CompletableFuture.runAsync(leaving::close);
        for (JobId id : claimedNotStarted) {
            JobRecord released = awaitStatus(leaving, ACME, id, JobStatus.QUEUED);
            assertThat(released.attempt()).as("attempt of released job %s", id).isZero();
            assertThat(released.node()).isNull();
        }
        Millrace staying = started(d.builder().nodeId("staying").lease(LEASE).register(Hold.class)
                .register(RecordRun.class));
        for (JobId id : waiting) {
            JobRecord done = awaitStatus(staying, ACME, id, JobStatus.COMPLETED);
            assertThat(done.node()).isEqualTo("staying");
            assertThat(done.attempt()).as("attempt of job %s", id).isEqualTo(1);
            assertThat(Signals.starts(id, 1)).as("starts of job %s", id).isEqualTo(1);
        }
        // While the node closes, its running job keeps its lease: nobody rescues it, for twice the lease.
        await().during(LEASE.multipliedBy(2)).atMost(LEASE.multipliedBy(4)).until(() -> {
            JobRecord j = staying.jobs().find(ACME, running).orElseThrow();
            return j.status() == JobStatus.PROCESSING && j.attempt() == 1 && "leaving".equals(j.node());
        });
        assertThat(closing).as("close waits for the running job").isNotDone();

        Signals.open("leaving");
        closing.get(20, TimeUnit.SECONDS);
        JobRecord finished = staying.jobs().find(ACME, running).orElseThrow();
        assertThat(finished.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(finished.node()).isEqualTo("leaving");
        assertThat(finished.attempt()).isEqualTo(1);
        assertThat(runs.of(running)).containsExactly(new Run(running.value(), 1, "leaving"));
        assertThat(runs.jobsRecordedMoreThanOnce()).isEmpty();
        assertThat(runs.count()).isEqualTo(6);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void jobStillRunningAtTheShutdownTimeoutIsRescuedByAnotherNodeNotFailed(Db db) throws Exception {
        TestDatabase d = database(db);
        Millrace leaving = started(d.builder().nodeId("leaving").lease(LEASE).shutdownTimeout(Duration.ofMillis(200))
                .register(Hold.class));
        RunsTable runs = RunsTable.create(d);
        tenants(leaving, ACME);
        JobId id = leaving.enqueue(ACME, new Hold(d.schema(), "never", 1));
        Signals.awaitStarted(id, 1);

        leaving.close();
        Millrace staying = started(d.builder().nodeId("staying").lease(LEASE).register(Hold.class));
        JobRecord job = await("the job to end").atMost(Duration.ofSeconds(20))
                .until(() -> staying.jobs().find(ACME, id).orElseThrow(), j -> j.status().isTerminal());

        assertThat(job.status()).as("status (extended status: %s)", job.extendedStatus()).isEqualTo(JobStatus.COMPLETED);
        assertThat(job.attempt()).isEqualTo(2);
        assertThat(job.node()).isEqualTo("staying");
        assertThat(runs.of(id)).containsExactly(new Run(id.value(), 2, "staying"));
    }

    private static List<JobId> processingOn(Millrace m, String node) {
        return m.jobs().find(JobQuery.forTenant(ACME).status(JobStatus.PROCESSING).build()).jobs().stream()
                .filter(j -> node.equals(j.node())).map(JobRecord::id).toList();
    }
}
