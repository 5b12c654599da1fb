package dev.millrace.test;

import dev.millrace.JobId;
import dev.millrace.JobRecord;
import dev.millrace.JobStatus;
import dev.millrace.JobType;
import dev.millrace.TenantPolicy;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.millrace.test.TestJobs.ran;
import static org.assertj.core.api.Assertions.assertThat;

/** TEST-3 for finalizers: the finalizer of a job run at stopTest runs too; its retry counts as a chained child. */
class FinalizerTest {
    @RegisterExtension
    static final MillraceExtension MILLRACE = MillraceExtension.of(AsyncTest.builder()
            .register(TestJobs.Flaky.class, TestJobs.Retry.class, TestJobs.ChainWithFinalizer.class,
                    TestJobs.RecordFinalizer.class)
            .tenantPolicy(TenantPolicy.DEFAULTS.withFinalizerMaxConsecutiveRetries(3)));

    @BeforeEach
    void createTable(AsyncTest test) {
        TestJobs.createRanTable(test);
    }

    @Test
    void theFinalizerOfASuccessfulJobRuns(AsyncTest test) {
        test.startTest();
        JobId id = test.enqueue(new TestJobs.Flaky(1, 0));
        test.stopTest();

        assertThat(ran(test)).containsExactly("flaky 1", "finalizer 1 SUCCESS");
        JobRecord finalizer = test.jobs(TestJobs.Retry.class).get(0);
        assertThat(finalizer.type()).isEqualTo(JobType.FINALIZER);
        assertThat(finalizer.parentJobId()).isEqualTo(id);
        test.assertCompleted(finalizer.id());
    }

    @Test
    void aFailedJobsFinalizerRunsAndItsRetryRunsOneLevelDeep(AsyncTest test) {
        test.startTest();
        JobId first = test.enqueue(new TestJobs.Flaky(1, 2));
        test.stopTest();

        // The failed runs' own records rolled back; the finalizers' committed in their own transactions.
        assertThat(ran(test)).containsExactly("finalizer 1 UNHANDLED_EXCEPTION", "finalizer 2 UNHANDLED_EXCEPTION");
        test.assertStatus(first, JobStatus.FAILED);
        JobRecord secondRetry = test.assertEnqueued(TestJobs.Flaky.class);
        assertThat(test.jobs(TestJobs.Flaky.class)).extracting(JobRecord::status)
                .containsExactly(JobStatus.FAILED, JobStatus.FAILED, JobStatus.QUEUED);
        assertThat(secondRetry.stackDepth()).isEqualTo(3);
    }

    @Test
    void aLongerRetryChainSucceedsWithRunChainedJobs(AsyncTest test) {
        test.startTest();
        test.enqueue(new TestJobs.Flaky(1, 2));
        test.runChainedJobs(5).stopTest();

        assertThat(ran(test)).containsExactly("finalizer 1 UNHANDLED_EXCEPTION", "finalizer 2 UNHANDLED_EXCEPTION",
                "flaky 3", "finalizer 3 SUCCESS");
        test.refuteEnqueued(TestJobs.Flaky.class);
    }

    @Test
    void theTenantsCapOnConsecutiveRetriesCutsTheChain(AsyncTest test) {
        test.startTest();
        test.enqueue(new TestJobs.Flaky(1, 100));
        test.runChainedJobs(100).stopTest();

        // Policy finalizerMaxConsecutiveRetries is 3 here: the third failure is not retried (FIN-7).
        assertThat(test.jobs(TestJobs.Flaky.class)).hasSize(3).extracting(JobRecord::status)
                .containsOnly(JobStatus.FAILED);
        JobRecord last = test.jobs(TestJobs.Flaky.class).get(2);
        assertThat(test.log(last.id())).anySatisfy(e -> assertThat(e.message())
                .startsWith("finalizer retry chain cut: 3 consecutive failed executions"));
    }

    @Test
    void theFinalizerOfAChainedChildRunsWhileTheGrandchildStaysQueued(AsyncTest test) {
        test.startTest();
        test.enqueue(new TestJobs.ChainWithFinalizer("a"));
        test.stopTest();

        // The grandchild a'' was enqueued before the finalizer of a', yet only the finalizer runs.
        assertThat(ran(test)).containsExactly("a", "a'", "finalizer of a SUCCESS", "finalizer of a' SUCCESS");
        JobRecord grandchild = test.assertEnqueued(TestJobs.ChainWithFinalizer.class);
        assertThat(grandchild.stackDepth()).isEqualTo(3);
        test.refuteEnqueued(TestJobs.RecordFinalizer.class);
    }
}
