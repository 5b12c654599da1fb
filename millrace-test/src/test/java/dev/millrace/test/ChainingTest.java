package dev.millrace.test;

import dev.millrace.JobId;
import dev.millrace.JobRecord;
import dev.millrace.JobStatus;
import dev.millrace.JobType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static dev.millrace.test.TestJobs.ran;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** TEST-3: one level of chaining by default, runChainedJobs(depth) for more. */
@MillraceTest(register = {TestJobs.Chain.class, TestJobs.CallFuture.class}, futures = TestJobs.Calls.class)
class ChainingTest {

    @BeforeEach
    void createTable(AsyncTest test) {
        TestJobs.createRanTable(test);
    }

    @Test
    void oneLevelOfChainingRunsByDefaultAndTheGrandchildStaysQueued(AsyncTest test) {
        test.startTest();
        JobId root = test.enqueue(new TestJobs.Chain("a", 5));
        test.stopTest();

        assertThat(ran(test)).containsExactly("a@1", "a'@2");
        JobRecord grandchild = test.assertEnqueued(TestJobs.Chain.class);
        assertThat(grandchild.stackDepth()).isEqualTo(3);
        JobRecord child = test.job(grandchild.parentJobId());
        assertThat(child.parentJobId()).isEqualTo(root);
        assertThat(child.status()).isEqualTo(JobStatus.COMPLETED);
    }

    @Test
    void runChainedJobsRunsLongerChains(AsyncTest test) {
        test.startTest();
        test.enqueue(new TestJobs.Chain("a", 3));
        test.runChainedJobs(3).stopTest();

        assertThat(ran(test)).containsExactly("a@1", "a'@2", "a''@3", "a'''@4");
        test.refuteEnqueued(TestJobs.Chain.class);
    }

    @Test
    void runChainedJobsZeroRunsOnlyTheEnqueuedWork(AsyncTest test) {
        test.runChainedJobs(0);
        test.startTest();
        test.enqueue(new TestJobs.Chain("a", 3));
        test.stopTest();

        assertThat(ran(test)).containsExactly("a@1");
        assertThat(test.assertEnqueued(TestJobs.Chain.class).stackDepth()).isEqualTo(2);
    }

    @Test
    void levelsRunOneAfterTheOtherInEnqueueOrder(AsyncTest test) {
        test.startTest();
        test.enqueue(new TestJobs.Chain("a", 5));
        test.enqueue(new TestJobs.Chain("b", 5));
        test.stopTest();

        assertThat(ran(test)).containsExactly("a@1", "b@1", "a'@2", "b'@2");
        assertThat(test.jobs()).filteredOn(j -> j.status() == JobStatus.QUEUED).extracting(JobRecord::stackDepth)
                .containsExactly(3, 3);
    }

    @Test
    void aFutureEnqueuedByAJobRunsLikeAChainedChild(AsyncTest test) {
        test.startTest();
        test.enqueue(new TestJobs.CallFuture("a"));
        test.stopTest();

        assertThat(ran(test)).containsExactly("a", "a()");
        JobRecord future = test.jobs(TestJobs.Calls.class).get(0);
        assertThat(future.type()).isEqualTo(JobType.FUTURE);
        assertThat(future.status()).isEqualTo(JobStatus.COMPLETED);
    }

    @Test
    void aChainThatNeverEndsIsStoppedWithAClearError(AsyncTest test) {
        // The guard of stopTest, with a limit of 3 jobs instead of AsyncTest.MAX_JOBS_PER_STOP_TEST.
        test.enqueue(new TestJobs.Chain("a", 10));
        var run = new StopTestRun(test.millrace(), test.tenant(), test.clock(),
                new JobTable(test.millrace(), test.tenant()), 1000, 3);
        assertThatThrownBy(() -> run.run(Set.of())).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("stopTest ran 3 jobs and job ")
                .hasMessageEndingWith(" (" + TestJobs.Chain.class.getName() + ", level 3) is still waiting: expected at"
                        + " most 3 jobs per stopTest; does a chain or finalizer retry never end? (runChainedJobs is 1000)");
        assertThat(ran(test)).containsExactly("a@1", "a'@2", "a''@3");
    }

    @Test
    void runChainedJobsRejectsADepthOutOfRange(AsyncTest test) {
        assertThatThrownBy(() -> test.runChainedJobs(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("runChainedJobs depth -1 is out of range: expected 0 to 1000");
        assertThatThrownBy(() -> test.runChainedJobs(1001)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("runChainedJobs depth 1001 is out of range: expected 0 to 1000");
    }

    @Test
    void runChainedJobsAfterStopTestIsRefused(AsyncTest test) {
        test.startTest();
        test.stopTest();
        assertThatThrownBy(() -> test.runChainedJobs(2)).isInstanceOf(IllegalStateException.class)
                .hasMessage("runChainedJobs(2) came after stopTest(): expected it before stopTest(), which is when"
                        + " chained jobs run");
    }
}
