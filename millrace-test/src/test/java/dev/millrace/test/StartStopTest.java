package dev.millrace.test;

import dev.millrace.JobId;
import dev.millrace.JobRecord;
import dev.millrace.JobStatus;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static dev.millrace.test.TestJobs.ran;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** TEST-1 and TEST-2: the startTest/stopTest bracket, its errors, and enqueue order. */
@MillraceTest(register = {TestJobs.Record.class, TestJobs.Fail.class}, futures = TestJobs.Calls.class)
class StartStopTest {

    @BeforeEach
    void createTable(AsyncTest test) {
        TestJobs.createRanTable(test);
    }

    @Test
    void workEnqueuedBetweenStartAndStopRunsAtStopTestOnTheTestThread(AsyncTest test) {
        test.startTest();
        JobId id = test.enqueue(new TestJobs.Record("a"));
        assertThat(test.job(id).status()).isEqualTo(JobStatus.QUEUED);
        assertThat(ran(test)).isEmpty();

        test.stopTest();

        assertThat(ran(test)).containsExactly("a");
        JobRecord job = test.assertCompleted(id);
        assertThat(job.tenant()).isEqualTo(test.tenant());
        assertThat(job.node()).isEqualTo("millrace-test");
        assertThat(job.attempt()).isEqualTo(1);
        assertThat(test.log(id)).extracting(e -> e.message()).containsExactly("recorded a");
    }

    @Test
    void queueablesAndFuturesRunInEnqueueOrder(AsyncTest test) {
        test.startTest();
        JobId first = test.enqueue(new TestJobs.Record("first"));
        JobId second = test.enqueueFuture(TestJobs.Calls.class, "record", "second");
        JobId third = test.millrace().enqueue(test.tenant(), new TestJobs.Record("third"));
        JobId fourth = test.enqueueFuture(TestJobs.Calls.class, "record", "fourth");

        var ranJobs = test.stopTest();

        assertThat(ran(test)).containsExactly("first", "second", "third", "fourth");
        assertThat(ranJobs).extracting(JobRecord::id).containsExactly(first, second, third, fourth);
        assertThat(ranJobs).extracting(JobRecord::status).containsOnly(JobStatus.COMPLETED);
    }

    @Test
    void workEnqueuedBeforeStartTestStaysQueued(AsyncTest test) {
        JobId setup = test.enqueue(new TestJobs.Record("setup"));
        test.startTest();
        JobId underTest = test.enqueue(new TestJobs.Record("under test"));
        test.stopTest();

        assertThat(ran(test)).containsExactly("under test");
        test.assertStatus(setup, JobStatus.QUEUED);
        test.assertCompleted(underTest);
    }

    @Test
    void aFailingJobEndsFailedWithoutFailingStopTest(AsyncTest test) {
        test.startTest();
        JobId id = test.enqueue(new TestJobs.Fail("card declined"));
        JobId after = test.enqueue(new TestJobs.Record("after"));
        test.stopTest();

        JobRecord failed = test.assertStatus(id, JobStatus.FAILED);
        assertThat(failed.extendedStatus()).isEqualTo("java.lang.IllegalStateException: card declined");
        assertThat(failed.numberOfErrors()).isEqualTo(1);
        assertThat(test.log(id)).anySatisfy(e -> assertThat(e.error().message()).isEqualTo("card declined"));
        test.assertCompleted(after);
    }

    @Test
    void stopTestWithNothingEnqueuedRunsNothing(AsyncTest test) {
        test.startTest();
        assertThat(test.stopTest()).isEmpty();
        assertThat(test.jobs()).isEmpty();
    }

    @Test
    void startTestTwiceIsRefused(AsyncTest test) {
        test.startTest();
        assertThatThrownBy(test::startTest).isInstanceOf(IllegalStateException.class)
                .hasMessage("startTest() was already called in this test (it is now started): expected one startTest()"
                        + " and one stopTest() per test");
    }

    @Test
    void startTestAfterStopTestIsRefused(AsyncTest test) {
        test.startTest();
        test.stopTest();
        assertThatThrownBy(test::startTest).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("startTest() was already called in this test (it is now stopped)");
    }

    @Test
    void stopTestWithoutStartTestIsRefused(AsyncTest test) {
        JobId id = test.enqueue(new TestJobs.Record("a"));
        assertThatThrownBy(test::stopTest).isInstanceOf(IllegalStateException.class)
                .hasMessage("stopTest() was called without startTest(): expected test.startTest() before the code under"
                        + " test and test.stopTest() after it");
        test.assertStatus(id, JobStatus.QUEUED);
    }

    @Test
    void stopTestTwiceIsRefused(AsyncTest test) {
        test.startTest();
        test.stopTest();
        assertThatThrownBy(test::stopTest).isInstanceOf(IllegalStateException.class)
                .hasMessage("stopTest() was already called in this test: expected one startTest() and one stopTest()"
                        + " per test");
    }
}
