package dev.millrace;

import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.List;

import static dev.millrace.testing.Jobs.awaitTerminal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Finalizers: run after the job in their own transaction, may retry it, and retries are capped. */
class FinalizerTest extends DatabaseTest {
    static final TenantId ACME = TenantId.of("acme");

    private Millrace node(Db db) {
        TestJobs.reset();
        Millrace m = started(builder(db).register(TestJobs.Flaky.class).register(TestJobs.Retry.class)
                .register(TestJobs.TwoFinalizers.class).register(TestJobs.WithFailingFinalizer.class)
                .register(TestJobs.FailingFinalizer.class));
        m.tenants().create(ACME);
        return m;
    }

    private static List<JobRecord> all(Millrace m) {
        return m.jobs().find(JobQuery.forTenant(ACME).build()).jobs();
    }

    private static boolean allEnded(Millrace m, int expected) {
        List<JobRecord> jobs = all(m);
        return jobs.size() == expected && jobs.stream().allMatch(j -> j.status().isTerminal());
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void finalizerRunsAfterSuccessInItsOwnJob(Db db) {
        Millrace m = node(db);
        JobId id = m.enqueue(ACME, new TestJobs.Flaky(1, 1));
        await().atMost(Duration.ofSeconds(20)).until(() -> allEnded(m, 2));
        assertThat(TestJobs.EVENTS).containsExactly("flaky run 1", "finalizer SUCCESS -");
        JobRecord finalizer = m.jobs().find(JobQuery.forTenant(ACME).type(JobType.FINALIZER).build()).jobs().get(0);
        assertThat(finalizer.parentJobId()).isEqualTo(id);
        assertThat(finalizer.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(finalizer.className()).isEqualTo(TestJobs.Retry.class.getName());
        assertThat(TestJobs.SEEN.get("parent")).isEqualTo(id);
        assertThat(TestJobs.SEEN.get("requestId")).isEqualTo(id + "/1");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void finalizerRetriesAFailedJobCarryingStateSetAfterAttach(Db db) {
        Millrace m = node(db);
        m.enqueue(ACME, new TestJobs.Flaky(1, 3));
        // 3 runs of the job, 3 finalizers.
        await().atMost(Duration.ofSeconds(20)).until(() -> allEnded(m, 6));
        assertThat(TestJobs.EVENTS).containsExactly("flaky run 1",
                "finalizer UNHANDLED_EXCEPTION flaky failure 1", "flaky run 2",
                "finalizer UNHANDLED_EXCEPTION flaky failure 2", "flaky run 3", "finalizer SUCCESS -");
        List<JobRecord> queueables = m.jobs().find(JobQuery.forTenant(ACME).type(JobType.QUEUEABLE).build()).jobs();
        assertThat(queueables).extracting(JobRecord::status)
                .containsExactly(JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.FAILED);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void finalizerRetryChainIsCutAfterFiveConsecutiveFailures(Db db) {
        Millrace m = node(db);
        JobId first = m.enqueue(ACME, new TestJobs.Flaky(1, 100));
        await().atMost(Duration.ofSeconds(30)).until(() -> allEnded(m, 10));
        assertThat(TestJobs.EVENTS).filteredOn(e -> e.startsWith("flaky run"))
                .containsExactly("flaky run 1", "flaky run 2", "flaky run 3", "flaky run 4", "flaky run 5");
        assertThat(TestJobs.EVENTS).last().asString().startsWith("retry refused: finalizer retry chain cut: 5 consecutive"
                + " failed executions were re-enqueued by finalizers (policy finalizerMaxConsecutiveRetries is 5)");
        // The record of the fifth job says why nothing followed it.
        JobRecord fifth = m.jobs().find(JobQuery.forTenant(ACME).type(JobType.QUEUEABLE).build()).jobs().get(0);
        assertThat(m.jobs().log(ACME, fifth.id())).anySatisfy(e -> assertThat(e.message()).startsWith(
                "finalizer retry chain cut: 5 consecutive failed executions"));
        assertThat(first).isNotEqualTo(fifth.id());
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void secondFinalizerIsRefused(Db db) {
        Millrace m = node(db);
        JobId id = m.enqueue(ACME, new TestJobs.TwoFinalizers());
        awaitTerminal(m, ACME, id);
        assertThat(TestJobs.SEEN.get("second finalizer")).asString().contains("already has a finalizer")
                .contains("expected at most one attachFinalizer per execution");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void finalizerFailureIsLoggedOnItsParentAndRunsNothingAgain(Db db) {
        Millrace m = node(db);
        JobId id = m.enqueue(ACME, new TestJobs.WithFailingFinalizer());
        await().atMost(Duration.ofSeconds(20)).until(() -> allEnded(m, 2));
        assertThat(m.jobs().find(ACME, id).orElseThrow().status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(m.jobs().log(ACME, id)).anySatisfy(e -> {
            assertThat(e.message()).contains("finalizer " + TestJobs.FailingFinalizer.class.getName() + " failed")
                    .contains("finalizer broke");
            assertThat(e.error()).isNotNull();
        });
        JobRecord finalizer = m.jobs().find(JobQuery.forTenant(ACME).type(JobType.FINALIZER).build()).jobs().get(0);
        assertThat(finalizer.status()).isEqualTo(JobStatus.FAILED);
        assertThat(finalizer.attempt()).isEqualTo(1);
    }
}
