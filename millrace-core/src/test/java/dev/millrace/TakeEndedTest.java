package dev.millrace;

import dev.millrace.monitoring.EndedJob;
import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import dev.millrace.testing.MutableClock;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static dev.millrace.testing.Jobs.awaitTerminal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Monitoring.takeEnded: the jobs a node ended, from its memory, each handed over once, by that node. */
class TakeEndedTest extends DatabaseTest {
    static final TenantId ACME = TenantId.of("acme");

    private static List<EndedJob> take(Millrace m) {
        List<EndedJob> out = new java.util.ArrayList<>();
        assertThat(m.monitoring().takeEnded(out::add)).as("dropped").isZero();
        return out;
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void successFailureFinalizerAndAbortBeforeStartAreHandedOnceWithTheirTimes(Db db) {
        TestJobs.reset();
        Instant t0 = Instant.parse("2026-11-25T10:00:00Z");
        MutableClock clock = new MutableClock(t0);
        Millrace m = node(builder(db).clock(clock).nodeId("n1").register(TestJobs.Record.class)
                .register(TestJobs.Fail.class).register(TestJobs.ChainThenMaybeFail.class)
                .register(TestJobs.WithFailingFinalizer.class).register(TestJobs.FailingFinalizer.class));
        tenants(m, ACME);
        m.enqueue(ACME, new TestJobs.Record("before"));
        m.runReadyJobs(ACME, 1);
        assertThat(take(m)).as("ended before the first take: not kept").isEmpty();

        m.enqueue(ACME, new TestJobs.Record("ok"));
        m.enqueue(ACME, new TestJobs.Fail());
        // Chaining writes in the job's transaction: its end commits there, not through the batched completions.
        m.enqueue(ACME, new TestJobs.ChainThenMaybeFail(false));
        m.enqueue(ACME, new TestJobs.WithFailingFinalizer());
        clock.advance(Duration.ofSeconds(3));
        assertThat(m.runReadyJobs(ACME, 10)).as("four, a chained child and a finalizer").isEqualTo(6);
        JobId never = m.enqueue(ACME, new TestJobs.Record("never"));
        m.jobs().abort(ACME, never);

        Instant t3 = t0.plusSeconds(3);
        Duration three = Duration.ofSeconds(3);
        assertThat(take(m)).containsExactlyInAnyOrder(
                new EndedJob(ACME, JobType.QUEUEABLE, JobStatus.COMPLETED, three, Duration.ZERO, t3),
                new EndedJob(ACME, JobType.QUEUEABLE, JobStatus.FAILED, three, Duration.ZERO, t3),
                new EndedJob(ACME, JobType.QUEUEABLE, JobStatus.COMPLETED, three, Duration.ZERO, t3),
                new EndedJob(ACME, JobType.QUEUEABLE, JobStatus.COMPLETED, three, Duration.ZERO, t3),
                new EndedJob(ACME, JobType.QUEUEABLE, JobStatus.COMPLETED, Duration.ZERO, Duration.ZERO, t3),
                new EndedJob(ACME, JobType.FINALIZER, JobStatus.FAILED, Duration.ZERO, Duration.ZERO, t3),
                new EndedJob(ACME, JobType.QUEUEABLE, JobStatus.ABORTED, null, null, t3));
        assertThat(take(m)).as("each end is handed over once").isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void jobsAStartedNodeEndsAreHandedToThatNodeOnly(Db db) throws Exception {
        TestJobs.reset();
        Millrace runner = started(builder(db).nodeId("runner").lease(Duration.ofSeconds(3))
                .register(TestJobs.Record.class).register(TestJobs.Fail.class).register(TestJobs.WaitForAbort.class));
        Millrace other = node(builder(db).nodeId("other").register(TestJobs.Record.class)
                .register(TestJobs.Fail.class).register(TestJobs.WaitForAbort.class));
        tenants(runner, ACME);
        List<EndedJob> ran = new CopyOnWriteArrayList<>(take(runner));
        List<EndedJob> elsewhere = new CopyOnWriteArrayList<>(take(other));

        JobId running = other.enqueue(ACME, new TestJobs.WaitForAbort());
        assertThat(TestJobs.WaitForAbort.started.await(20, TimeUnit.SECONDS)).isTrue();
        other.jobs().abort(ACME, running);
        for (int i = 0; i < 5; i++) other.enqueue(ACME, new TestJobs.Record("r" + i));
        other.enqueue(ACME, new TestJobs.Fail());
        // Another node's abort reaches the running node with its heartbeat (a third of the lease).
        // Enqueued on the running node: possibly handed to an idle worker already claimed (the fast path).
        for (int i = 0; i < 3; i++) runner.enqueue(ACME, new TestJobs.Record("s" + i));
        JobId last = runner.enqueue(ACME, new TestJobs.Fail());
        awaitTerminal(runner, ACME, running);
        awaitTerminal(runner, ACME, last);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            ran.addAll(take(runner));
            assertThat(ran).extracting(EndedJob::status).containsExactlyInAnyOrder(
                    JobStatus.ABORTED, JobStatus.FAILED, JobStatus.FAILED, JobStatus.COMPLETED, JobStatus.COMPLETED,
                    JobStatus.COMPLETED, JobStatus.COMPLETED, JobStatus.COMPLETED, JobStatus.COMPLETED,
                    JobStatus.COMPLETED, JobStatus.COMPLETED);
        });
        assertThat(ran).allSatisfy(j -> {
            assertThat(j.tenant()).isEqualTo(ACME);
            assertThat(j.type()).isEqualTo(JobType.QUEUEABLE);
            assertThat(j.waited()).isNotNull().isGreaterThanOrEqualTo(Duration.ZERO);
            assertThat(j.ran()).isNotNull().isGreaterThanOrEqualTo(Duration.ZERO);
        });
        elsewhere.addAll(take(other));
        assertThat(elsewhere).as("the node that enqueued and aborted, but ended nothing").isEmpty();
        assertThat(take(runner)).as("each end is handed over once").isEmpty();
    }
}
