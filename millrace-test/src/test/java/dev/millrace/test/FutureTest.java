package dev.millrace.test;

import dev.millrace.JobId;
import dev.millrace.JobRecord;
import dev.millrace.JobStatus;
import dev.millrace.JobType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.millrace.test.TestJobs.ran;
import static org.assertj.core.api.Assertions.assertThat;

/** TEST-4: futures run at stopTest, with the arguments as they were at the call. */
@MillraceTest(futures = TestJobs.Calls.class)
class FutureTest {

    @BeforeEach
    void createTable(AsyncTest test) {
        TestJobs.createRanTable(test);
    }

    @Test
    void futuresRunAtStopTest(AsyncTest test) {
        test.startTest();
        JobId id = test.enqueueFuture(TestJobs.Calls.class, "record", "hello");
        test.assertEnqueued(TestJobs.Calls.class, "record");
        assertThat(ran(test)).isEmpty();
        test.stopTest();

        assertThat(ran(test)).containsExactly("hello");
        JobRecord future = test.assertCompleted(id);
        assertThat(future.type()).isEqualTo(JobType.FUTURE);
        assertThat(future.methodName()).isEqualTo("record");
        test.refuteEnqueued(TestJobs.Calls.class);
    }

    @Test
    void argumentsAreCopiedAtTheCall(AsyncTest test) {
        List<String> names = new ArrayList<>(List.of("ada"));
        test.startTest();
        test.enqueueFuture(TestJobs.Calls.class, "recordList", names);
        names.set(0, "changed after the call");
        names.add("grace");
        test.stopTest();

        assertThat(ran(test)).containsExactly("1 ada");
    }

    @Test
    void aFailingFutureEndsFailed(AsyncTest test) {
        test.startTest();
        JobId id = test.enqueueFuture(TestJobs.Calls.class, "recordList", List.of());
        test.stopTest();

        assertThat(test.job(id).status()).isEqualTo(JobStatus.FAILED);
        assertThat(test.job(id).extendedStatus()).startsWith("java.lang.IndexOutOfBoundsException");
    }
}
