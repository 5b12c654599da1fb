package dev.millrace.test;

import dev.millrace.AsyncOptions;
import dev.millrace.JobId;
import dev.millrace.JobRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static dev.millrace.test.TestJobs.ran;
import static org.assertj.core.api.Assertions.assertThat;

/** Delayed jobs run at stopTest too: the test clock moves on as if the delay had passed. */
@MillraceTest(register = TestJobs.Record.class)
class DelayTest {

    @BeforeEach
    void createTable(AsyncTest test) {
        TestJobs.createRanTable(test);
    }

    @Test
    void aDelayedJobRunsAtStopTestAndTheClockMovesToItsStart(AsyncTest test) {
        Instant start = test.clock().instant();
        test.startTest();
        JobId id = test.enqueue(new TestJobs.Record("later"), AsyncOptions.delayMinutes(5));
        test.stopTest();

        JobRecord job = test.assertCompleted(id);
        assertThat(job.runAt()).isEqualTo(start.plus(Duration.ofMinutes(5)));
        assertThat(job.startedAt()).isEqualTo(job.runAt());
        assertThat(test.clock().instant()).isEqualTo(job.runAt());
    }

    @Test
    void delayedWorkStillRunsInEnqueueOrder(AsyncTest test) {
        test.startTest();
        test.enqueue(new TestJobs.Record("in ten minutes"), AsyncOptions.delayMinutes(10));
        test.enqueue(new TestJobs.Record("now"));
        test.enqueue(new TestJobs.Record("in two minutes"), AsyncOptions.builder().delay(Duration.ofMinutes(2)).build());
        test.stopTest();

        assertThat(ran(test)).containsExactly("in ten minutes", "now", "in two minutes");
        // The clock never goes back: it stands at the latest start.
        assertThat(test.clock().instant()).isEqualTo(TestClock.DEFAULT_START.plus(Duration.ofMinutes(10)));
    }

    @Test
    void theClockStandsStillUntilMoved(AsyncTest test) {
        assertThat(test.clock().instant()).isEqualTo(TestClock.DEFAULT_START);
        JobId id = test.enqueue(new TestJobs.Record("a"));
        assertThat(test.job(id).createdAt()).isEqualTo(TestClock.DEFAULT_START);
        test.clock().advance(Duration.ofHours(1));
        JobId later = test.enqueue(new TestJobs.Record("b"));
        assertThat(test.job(later).createdAt()).isEqualTo(TestClock.DEFAULT_START.plus(Duration.ofHours(1)));
    }
}
