package dev.millrace.test;

import dev.millrace.JobRecord;
import dev.millrace.JobStatus;
import dev.millrace.JobType;
import dev.millrace.schedule.ScheduleId;
import dev.millrace.schedule.ScheduleRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

import static dev.millrace.test.TestJobs.ran;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Advancing the test clock fires the schedules due on the way, inline, each at its own fire time. */
@MillraceTest(register = {TestJobs.Tick.class, TestJobs.Record.class})
class ScheduleSupportTest {
    static final ZoneId UTC = ZoneId.of("UTC");

    @BeforeEach
    void createTable(AsyncTest test) {
        TestJobs.createRanTable(test);
    }

    @Test
    void advancingTheClockFiresEachFireTimeOnTheWay(AsyncTest test) {
        Instant start = test.clock().instant();   // 2025-01-01T09:00:00Z
        ScheduleId id = test.schedule("quarter-hourly", "0 0/15 * * * ?", new TestJobs.Tick(), UTC);

        List<JobRecord> ran = test.advanceClock(Duration.ofHours(1).plusMinutes(5));

        assertThat(ran).hasSize(4).allSatisfy(j -> {
            assertThat(j.type()).isEqualTo(JobType.SCHEDULED);
            assertThat(j.status()).isEqualTo(JobStatus.COMPLETED);
        });
        assertThat(ran(test)).containsExactly("tick 2025-01-01T09:15:00Z", "tick 2025-01-01T09:30:00Z",
                "tick 2025-01-01T09:45:00Z", "tick 2025-01-01T10:00:00Z");
        assertThat(test.clock().instant()).isEqualTo(start.plus(Duration.ofMinutes(65)));
        ScheduleRecord s = test.schedules().get(0);
        assertThat(s.id()).isEqualTo(id);
        assertThat(s.fireCount()).isEqualTo(4);
        assertThat(s.skippedCount()).isZero();
        assertThat(s.nextFireTime()).isEqualTo(Instant.parse("2025-01-01T10:15:00Z"));
        // The work the schedulable enqueued waits: a test runs it when it chooses.
        assertThat(test.assertEnqueued(TestJobs.Record.class).parentJobId()).isEqualTo(ran.get(0).id());
    }

    @Test
    void fireDueSchedulesRunsOnlyWhatIsDueNow(AsyncTest test) {
        test.schedule("hourly", "0 0 * * * ?", new TestJobs.Tick(), UTC);
        assertThat(test.fireDueSchedules()).isEmpty();
        test.clock().advance(Duration.ofHours(1));
        assertThat(test.fireDueSchedules()).singleElement().extracting(JobRecord::status).isEqualTo(JobStatus.COMPLETED);
        assertThat(ran(test)).containsExactly("tick 2025-01-01T10:00:00Z");
    }

    @Test
    void thePausedScheduleDoesNotFire(AsyncTest test) {
        ScheduleId id = test.schedule("hourly", "0 0 * * * ?", new TestJobs.Tick(), UTC);
        test.millrace().schedules().pause(test.tenant(), id);
        assertThat(test.advanceClock(Duration.ofHours(3))).isEmpty();
        assertThatThrownBy(() -> test.advanceClock(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("duration PT-1S is negative: expected zero or more, the test clock only moves forward");
    }

    @Test
    void aScheduleCreatedInTheTestRunsOnceAtStopTestWhateverItsCron(AsyncTest test) {
        ScheduleId before = test.schedule("before", "0 0 * * * ?", new TestJobs.Tick(), UTC);
        test.startTest();
        ScheduleId yearly = test.schedule("yearly", "0 0 0 1 JAN ? *", new TestJobs.Tick(), UTC);
        List<JobRecord> ran = test.stopTest();

        Instant now = test.clock().instant();
        assertThat(ran).extracting(JobRecord::type).containsExactly(JobType.SCHEDULED, JobType.QUEUEABLE);
        assertThat(ran).allSatisfy(j -> assertThat(j.status()).isEqualTo(JobStatus.COMPLETED));
        assertThat(ran(test)).containsExactly("tick " + now, "work of " + now);
        ScheduleRecord s = test.millrace().schedules().find(test.tenant(), yearly).orElseThrow();
        assertThat(s.nextFireTime()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(s.fireCount()).as("a run now is not an occurrence").isZero();
        assertThat(test.millrace().schedules().find(test.tenant(), before).orElseThrow().fireCount()).isZero();
    }
}
