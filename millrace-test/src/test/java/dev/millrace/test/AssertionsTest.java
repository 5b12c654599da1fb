package dev.millrace.test;

import dev.millrace.JobId;
import dev.millrace.JobRecord;
import dev.millrace.JobStatus;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The assertions read the real job table of the test's tenant (TEST-8). */
@MillraceTest(register = {TestJobs.Record.class, TestJobs.Fail.class}, futures = TestJobs.Calls.class)
class AssertionsTest {

    @BeforeEach
    void createTable(AsyncTest test) {
        TestJobs.createRanTable(test);
    }

    @Test
    void assertEnqueuedFindsTheOldestWaitingJobOfAClass(AsyncTest test) {
        JobId first = test.enqueue(new TestJobs.Record("a"));
        test.enqueue(new TestJobs.Record("b"));
        assertThat(test.assertEnqueued(TestJobs.Record.class).id()).isEqualTo(first);
        test.refuteEnqueued(TestJobs.Fail.class);
        test.refuteEnqueued(TestJobs.Calls.class, "record");
    }

    @Test
    void assertEnqueuedFailsListingTheTenantsJobs(AsyncTest test) {
        JobId id = test.enqueue(new TestJobs.Record("a"));
        assertThatThrownBy(() -> test.assertEnqueued(TestJobs.Fail.class)).isInstanceOf(AssertionFailedError.class)
                .hasMessage("expected a job of " + TestJobs.Fail.class.getName() + " waiting to run in tenant 'test', but"
                        + " there is none; the tenant has 1 job(s): [TestJobs$Record QUEUED " + id + "]");
        assertThatThrownBy(() -> test.assertEnqueued(TestJobs.Calls.class, "record"))
                .isInstanceOf(AssertionFailedError.class)
                .hasMessageStartingWith("expected a job of " + TestJobs.Calls.class.getName() + ".record waiting to run");
    }

    @Test
    void aJobThatRanIsNoLongerEnqueued(AsyncTest test) {
        test.startTest();
        test.enqueue(new TestJobs.Record("a"));
        test.assertEnqueued(TestJobs.Record.class);
        test.stopTest();
        test.refuteEnqueued(TestJobs.Record.class);
        assertThatThrownBy(() -> test.assertEnqueued(TestJobs.Record.class)).isInstanceOf(AssertionFailedError.class)
                .hasMessageContaining("the tenant has 1 job(s): [TestJobs$Record COMPLETED");
    }

    @Test
    void refuteEnqueuedFailsListingTheWaitingJobs(AsyncTest test) {
        JobId id = test.enqueueFuture(TestJobs.Calls.class, "record", "x");
        assertThatThrownBy(() -> test.refuteEnqueued(TestJobs.Calls.class, "record"))
                .isInstanceOf(AssertionFailedError.class)
                .hasMessage("expected no job of " + TestJobs.Calls.class.getName() + ".record waiting to run in tenant"
                        + " 'test', but found 1 job(s): [TestJobs$Calls.record QUEUED " + id + "]");
        test.refuteEnqueued(TestJobs.Calls.class, "recordList");
    }

    @Test
    void assertCompletedShowsTheErrorOfAFailedJob(AsyncTest test) {
        test.startTest();
        JobId id = test.enqueue(new TestJobs.Fail("boom"));
        test.stopTest();
        assertThatThrownBy(() -> test.assertCompleted(id)).isInstanceOf(AssertionFailedError.class)
                .hasMessageStartingWith("job " + id + " (TestJobs$Fail) is FAILED: expected COMPLETED; its error:"
                        + " java.lang.IllegalStateException: boom\njava.lang.IllegalStateException: boom\n\tat ");
        test.assertStatus(id, JobStatus.FAILED);
    }

    @Test
    void jobsListTheTenantsJobsOldestFirst(AsyncTest test) {
        JobId a = test.enqueue(new TestJobs.Record("a"));
        JobId b = test.enqueueFuture(TestJobs.Calls.class, "record", "b");
        JobId c = test.enqueue(new TestJobs.Record("c"));
        assertThat(test.jobs()).extracting(JobRecord::id).containsExactly(a, b, c);
        assertThat(test.jobs(TestJobs.Record.class)).extracting(JobRecord::id).containsExactly(a, c);
        assertThat(test.jobs()).extracting(JobRecord::tenant).containsOnly(test.tenant());
    }

    @Test
    void jobOfAnUnknownIdFails(AsyncTest test) {
        JobId unknown = JobId.of(UUID.randomUUID());
        assertThatThrownBy(() -> test.job(unknown)).isInstanceOf(AssertionFailedError.class)
                .hasMessage("job " + unknown + " does not exist in tenant 'test': expected the id of one of its jobs; it"
                        + " has no jobs");
    }

    @Test
    void logReadsTheJobsLog(AsyncTest test) {
        test.startTest();
        JobId id = test.enqueue(new TestJobs.Record("a"));
        test.stopTest();
        assertThat(test.log(id)).singleElement().satisfies(e -> {
            assertThat(e.message()).isEqualTo("recorded a");
            assertThat(e.jobId()).isEqualTo(id);
        });
    }
}
