package dev.millrace.schedule;

import dev.millrace.Millrace;
import dev.millrace.TenantId;
import dev.millrace.schedule.ScheduleJobs.Fire;
import dev.millrace.schedule.ScheduleJobs.RecordFire;
import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import dev.millrace.testing.MutableClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A schedule's fire times follow its time zone across daylight-saving changes: a local time skipped by the spring
 * gap fires once at the first instant after it, and a local time repeated in autumn fires once, at its first
 * occurrence. The clock walks an hour at a time through each change while the node fires what is due.
 */
class ScheduleDstTest extends DatabaseTest {
    static final TenantId ACME = TenantId.of("acme");

    @BeforeEach
    void reset() {
        ScheduleJobs.reset();
    }

    private List<Instant> firesWalking(Db db, String zone, String cron, Instant from, int hours) {
        MutableClock clock = new MutableClock(from);
        Millrace m = node(database(db).builder().clock(clock).register(RecordFire.class));
        tenants(m, ACME);
        ScheduleId id = m.schedule(ACME, "daily", cron, new RecordFire(), ZoneId.of(zone));
        for (int h = 0; h < hours * 4; h++) {
            clock.advance(Duration.ofMinutes(15));
            m.fireDueSchedules();
            m.runReadyJobs(ACME, 100);
        }
        assertThat(m.schedules().find(ACME, id).orElseThrow().skippedCount()).isZero();
        return ScheduleJobs.fires().stream().map(Fire::fireTime).toList();
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void londonSpringGapFiresOnceAfterTheGap(Db db) {
        // 2030-03-31: 01:00 GMT becomes 02:00 BST, so 01:30 does not exist that day.
        assertThat(firesWalking(db, "Europe/London", "0 30 1 * * ?", Instant.parse("2030-03-30T00:00:00Z"), 72))
                .containsExactly(Instant.parse("2030-03-30T01:30:00Z"),    // 01:30 GMT
                        Instant.parse("2030-03-31T01:00:00Z"),             // 02:00 BST, the first instant after the gap
                        Instant.parse("2030-04-01T00:30:00Z"));            // 01:30 BST
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void londonAutumnOverlapFiresOnce(Db db) {
        // 2030-10-27: 02:00 BST becomes 01:00 GMT, so 01:30 happens twice that day.
        assertThat(firesWalking(db, "Europe/London", "0 30 1 * * ?", Instant.parse("2030-10-26T00:00:00Z"), 72))
                .containsExactly(Instant.parse("2030-10-26T00:30:00Z"),    // 01:30 BST
                        Instant.parse("2030-10-27T00:30:00Z"),             // the first 01:30, BST; not again at 01:30 GMT
                        Instant.parse("2030-10-28T01:30:00Z"));            // 01:30 GMT
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void newYorkSpringGapFiresOnceAfterTheGap(Db db) {
        // 2030-03-10: 02:00 EST becomes 03:00 EDT, so 02:30 does not exist that day.
        assertThat(firesWalking(db, "America/New_York", "0 30 2 * * ?", Instant.parse("2030-03-09T05:00:00Z"), 72))
                .containsExactly(Instant.parse("2030-03-09T07:30:00Z"),    // 02:30 EST
                        Instant.parse("2030-03-10T07:00:00Z"),             // 03:00 EDT
                        Instant.parse("2030-03-11T06:30:00Z"));            // 02:30 EDT
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void newYorkAutumnOverlapFiresOnce(Db db) {
        // 2030-11-03: 02:00 EDT becomes 01:00 EST, so 01:30 happens twice that day.
        assertThat(firesWalking(db, "America/New_York", "0 30 1 * * ?", Instant.parse("2030-11-02T04:00:00Z"), 72))
                .containsExactly(Instant.parse("2030-11-02T05:30:00Z"),    // 01:30 EDT
                        Instant.parse("2030-11-03T05:30:00Z"),             // the first 01:30, EDT
                        Instant.parse("2030-11-04T06:30:00Z"));            // 01:30 EST
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void nextFireTimesOfAScheduleFollowItsZone(Db db) {
        MutableClock clock = new MutableClock(Instant.parse("2030-03-30T12:00:00Z"));
        Millrace m = node(database(db).builder().clock(clock).register(RecordFire.class));
        tenants(m, ACME);
        ScheduleId london = m.schedule(ACME, "london", "0 30 1 * * ?", new RecordFire(), ZoneId.of("Europe/London"));
        ScheduleId utc = m.schedule(ACME, "utc", "0 30 1 * * ?", new RecordFire(), ZoneId.of("UTC"));
        assertThat(m.schedules().nextFireTimes(ACME, london, 2)).containsExactly(
                Instant.parse("2030-03-31T01:00:00Z"), Instant.parse("2030-04-01T00:30:00Z"));
        assertThat(m.schedules().nextFireTimes(ACME, utc, 2)).containsExactly(
                Instant.parse("2030-03-31T01:30:00Z"), Instant.parse("2030-04-01T01:30:00Z"));
        assertThat(m.schedules().find(ACME, london).orElseThrow().zone()).isEqualTo(ZoneId.of("Europe/London"));
    }
}
