package dev.millrace.reliability;

import dev.millrace.JobId;
import dev.millrace.JobLogEntry;
import dev.millrace.JobRecord;
import dev.millrace.JobStatus;
import dev.millrace.Millrace;
import dev.millrace.TenantId;
import dev.millrace.monitoring.EndedJob;
import dev.millrace.reliability.RecordingJobs.Hold;
import dev.millrace.reliability.RunsTable.Run;
import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import dev.millrace.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.millrace.testing.Jobs.awaitStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Leases, rescue and fencing. The zombie is a node that was never started: it runs a job inline
 * ({@link Millrace#runReadyJobs}) on a thread of the test's, with the engine's own runner, but it has no
 * heartbeat, so it claims a job and then never renews the lease, just as a node that stalled or lost the
 * database would. Its job waits at a gate until the test lets it finish, late.
 */
class RescueTest extends DatabaseTest {
    static final TenantId ACME = TenantId.of("acme");
    static final Duration LEASE = Duration.ofSeconds(1);

    private final ExecutorService zombieThreads = Executors.newCachedThreadPool();

    @BeforeEach
    void resetSignals() {
        Signals.reset();
    }

    @AfterEach
    void releaseZombies() throws InterruptedException {
        Signals.reset();
        zombieThreads.shutdownNow();
        zombieThreads.awaitTermination(10, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void jobWhoseNodeStopsRenewingItsLeaseRunsAgainElsewhereAndTheLateCompletionIsRejected(Db db) throws Exception {
        TestDatabase d = database(db);
        Millrace zombie = node(d.builder().nodeId("zombie").lease(LEASE).register(Hold.class));
        RunsTable runs = RunsTable.create(d);
        tenants(zombie, ACME);
        JobId id = zombie.enqueue(ACME, new Hold(d.schema(), "zombie", 1));
        List<EndedJob> zombieEnded = new java.util.ArrayList<>();
        zombie.monitoring().takeEnded(zombieEnded::add);
        Future<Integer> zombieRun = zombieThreads.submit(() -> zombie.runReadyJobs(ACME, 1));
        Signals.awaitStarted(id, 1);

        Millrace rescuer = started(d.builder().nodeId("rescuer").lease(LEASE).maxAttempts(3).register(Hold.class));
        List<EndedJob> rescuerEnded = new java.util.concurrent.CopyOnWriteArrayList<>();
        rescuer.monitoring().takeEnded(rescuerEnded::add);
        JobRecord done = awaitStatus(rescuer, ACME, id, JobStatus.COMPLETED);
        assertThat(done.attempt()).isEqualTo(2);
        assertThat(done.node()).isEqualTo("rescuer");
        assertThat(rescuer.monitoring().leaseRescues().requeued()).as("re-queued by the rescuer's node").isEqualTo(1);

        Signals.open("zombie");
        assertThat(zombieRun.get(20, TimeUnit.SECONDS)).as("jobs the zombie ran").isEqualTo(1);

        JobRecord after = rescuer.jobs().find(ACME, id).orElseThrow();
        assertThat(after.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(after.attempt()).isEqualTo(2);
        assertThat(after.completedAt()).isEqualTo(done.completedAt());
        assertThat(runs.of(id)).as("committed runs: the zombie's write was rolled back")
                .containsExactly(new Run(id.value(), 2, "rescuer"));
        assertThat(Signals.starts(id, 1)).isEqualTo(1);
        assertThat(Signals.starts(id, 2)).isEqualTo(1);
        assertThat(rescuer.jobs().log(ACME, id)).extracting(JobLogEntry::message)
                .anySatisfy(m -> assertThat(m).contains("lease expired on node zombie during attempt 1 of 3"))
                .anySatisfy(m -> assertThat(m).contains("completion of attempt 1 rejected"));
        zombie.monitoring().takeEnded(zombieEnded::add);
        assertThat(zombieEnded).as("the zombie's rejected completion is no end of its").isEmpty();
        await().untilAsserted(() -> {
            rescuer.monitoring().takeEnded(rescuerEnded::add);
            assertThat(rescuerEnded).extracting(EndedJob::status).containsExactly(JobStatus.COMPLETED);
        });
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void jobWhoseLeaseExpiresOnEveryAttemptEndsFailedSayingWhy(Db db) throws Exception {
        TestDatabase d = database(db);
        // The rescuer's one worker and its one prefetch slot are held by two jobs, so it claims nothing else:
        // its only part is its rescuer, which gives up after two attempts.
        Millrace rescuer = started(d.builder().nodeId("rescuer").lease(LEASE).maxAttempts(2).workers(1)
                .claimBatchSize(1).register(Hold.class));
        List<EndedJob> rescuerEnded = new java.util.concurrent.CopyOnWriteArrayList<>();
        rescuer.monitoring().takeEnded(rescuerEnded::add);
        RunsTable runs = RunsTable.create(d);
        tenants(rescuer, ACME);
        JobId busy1 = rescuer.enqueue(ACME, new Hold(d.schema(), "busy", Integer.MAX_VALUE));
        JobId busy2 = rescuer.enqueue(ACME, new Hold(d.schema(), "busy", Integer.MAX_VALUE));
        awaitStatus(rescuer, ACME, busy1, JobStatus.PROCESSING);
        awaitStatus(rescuer, ACME, busy2, JobStatus.PROCESSING);

        Millrace zombie = node(d.builder().nodeId("zombie").lease(LEASE).register(Hold.class));
        JobId id = zombie.enqueue(ACME, new Hold(d.schema(), "poison", Integer.MAX_VALUE));
        List<EndedJob> zombieEnded = new java.util.ArrayList<>();
        zombie.monitoring().takeEnded(zombieEnded::add);
        List<Future<Integer>> zombieRuns = new java.util.ArrayList<>();
        for (int attempt = 1; attempt <= 2; attempt++) {
            zombieRuns.add(zombieThreads.submit(() -> zombie.runReadyJobs(ACME, 1)));
            Signals.awaitStarted(id, attempt);
            if (attempt == 1) awaitStatus(rescuer, ACME, id, JobStatus.QUEUED);
        }
        JobRecord failed = awaitStatus(rescuer, ACME, id, JobStatus.FAILED);

        assertThat(failed.attempt()).isEqualTo(2);
        assertThat(failed.numberOfErrors()).isEqualTo(1);
        assertThat(rescuer.monitoring().leaseRescues()).satisfies(r -> {
            assertThat(r.requeued()).isEqualTo(1);
            assertThat(r.failed()).isEqualTo(1);
        });
        assertThat(failed.extendedStatus()).isEqualTo(
                "gave up: lease expired on node zombie during attempt 2 of 2 (the node died or stalled)");

        Signals.open("poison");
        Signals.open("busy");
        for (Future<Integer> run : zombieRuns) assertThat(run.get(20, TimeUnit.SECONDS)).isEqualTo(1);
        awaitStatus(rescuer, ACME, busy2, JobStatus.COMPLETED);
        assertThat(rescuer.jobs().find(ACME, id).orElseThrow().status()).as("after the zombies finished")
                .isEqualTo(JobStatus.FAILED);
        assertThat(runs.of(id)).as("committed runs of the job that never completed").isEmpty();
        // The rescuer's node wrote the failure: it is that node's end, with the run of the attempt that expired.
        awaitStatus(rescuer, ACME, busy1, JobStatus.COMPLETED);
        await().untilAsserted(() -> {
            rescuer.monitoring().takeEnded(rescuerEnded::add);
            assertThat(rescuerEnded).extracting(EndedJob::status).containsExactlyInAnyOrder(JobStatus.FAILED,
                    JobStatus.COMPLETED, JobStatus.COMPLETED);
        });
        assertThat(rescuerEnded).filteredOn(j -> j.status() == JobStatus.FAILED).singleElement()
                .satisfies(j -> assertThat(j.ran()).isGreaterThanOrEqualTo(LEASE));
        zombie.monitoring().takeEnded(zombieEnded::add);
        assertThat(zombieEnded).as("both of the zombie's completions were rejected").isEmpty();
    }
}
