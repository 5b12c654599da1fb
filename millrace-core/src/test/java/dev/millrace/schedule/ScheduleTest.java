package dev.millrace.schedule;

import dev.millrace.AsyncException;
import dev.millrace.JobRecord;
import dev.millrace.JobStatus;
import dev.millrace.JobType;
import dev.millrace.Millrace;
import dev.millrace.TenantId;
import dev.millrace.TenantPolicy;
import dev.millrace.UnknownJobTypeException;
import dev.millrace.schedule.ScheduleJobs.Counter;
import dev.millrace.schedule.ScheduleJobs.Fire;
import dev.millrace.schedule.ScheduleJobs.RecordFire;
import dev.millrace.schedule.ScheduleJobs.StartWork;
import dev.millrace.schedule.ScheduleJobs.Work;
import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import dev.millrace.testing.MutableClock;
import dev.millrace.testing.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Schedules on one node: firing, history, pause/resume, cron changes, quotas, misfires, overlap, restarts. */
class ScheduleTest extends DatabaseTest {
    static final TenantId ACME = TenantId.of("acme");
    static final TenantId GLOBEX = TenantId.of("globex");
    static final Instant START = Instant.parse("2030-01-01T00:00:00Z");
    static final ZoneId UTC = ZoneOffset.UTC;
    static final String EVERY_MINUTE = "0 * * * * ?";

    MutableClock clock;

    @BeforeEach
    void reset() {
        ScheduleJobs.reset();
        clock = new MutableClock(START);
    }

    /** A node that is not started, on the test clock: fires and runs only when told. */
    private Millrace manual(Db db) {
        return node(database(db).builder().clock(clock).register(RecordFire.class).register(StartWork.class)
                .register(Work.class).register(Counter.class));
    }

    private static int fireAndRun(Millrace m) {
        int fired = m.fireDueSchedules();
        m.runReadyJobs(ACME, 1000);
        return fired;
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void eachFireTimeRunsAScheduledJobWithTheScheduleIdAndFireTime(Db db) {
        Millrace m = manual(db);
        tenants(m, ACME);
        ScheduleId id = m.schedule(ACME, "minutely", EVERY_MINUTE, new RecordFire("a"), UTC);

        ScheduleRecord created = m.schedules().find(ACME, id).orElseThrow();
        assertThat(created.state()).isEqualTo(ScheduleState.WAITING);
        assertThat(created.nextFireTime()).isEqualTo(START.plusSeconds(60));
        assertThat(created.fireCount()).isZero();
        assertThat(fireAndRun(m)).as("nothing is due before the first fire time").isZero();

        clock.advance(Duration.ofSeconds(60));
        assertThat(fireAndRun(m)).isEqualTo(1);

        assertThat(ScheduleJobs.fires()).singleElement().satisfies(f -> {
            assertThat(f.scheduleId()).isEqualTo(id.value());
            assertThat(f.fireTime()).isEqualTo(START.plusSeconds(60));
            assertThat(f.label()).isEqualTo("a");
        });
        ScheduleRecord after = m.schedules().find(ACME, id).orElseThrow();
        JobRecord job = m.jobs().find(ACME, after.lastJobId()).orElseThrow();
        assertThat(job.type()).isEqualTo(JobType.SCHEDULED);
        assertThat(job.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(job.className()).isEqualTo(RecordFire.class.getName());
        assertThat(job.id().value()).isEqualTo(ScheduleJobs.fires().get(0).jobId());
        assertThat(after.fireCount()).isEqualTo(1);
        assertThat(after.skippedCount()).isZero();
        assertThat(after.lastFireTime()).isEqualTo(START.plusSeconds(60));
        assertThat(after.nextFireTime()).isEqualTo(START.plusSeconds(120));
        assertThat(after.state()).isEqualTo(ScheduleState.WAITING);
        assertThat(m.schedules().nextFireTimes(ACME, id, 3))
                .containsExactly(START.plusSeconds(120), START.plusSeconds(180), START.plusSeconds(240));
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aStartedNodeFiresOnItsOwn(Db db) {
        Millrace m = started(database(db).builder().register(RecordFire.class));
        tenants(m, ACME);
        m.tenants().put(ACME, TenantPolicy.DEFAULTS.withMinScheduleIntervalSeconds(1));
        ScheduleId id = m.schedule(ACME, "every-second", "* * * * * ?", new RecordFire("s"), UTC);

        await().atMost(Duration.ofSeconds(30)).until(() -> ScheduleJobs.fires().size() >= 2);
        m.schedules().delete(ACME, id);
        assertThat(ScheduleJobs.fires()).allSatisfy(f -> assertThat(f.scheduleId()).isEqualTo(id.value()));
        assertThat(ScheduleJobs.executionsPerOccurrence()).as("executions per occurrence").allSatisfy(
                (occurrence, n) -> assertThat(n).as(occurrence).isEqualTo(1));
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aSchedulableStartsWorkInItsOwnTransaction(Db db) {
        Millrace m = manual(db);
        tenants(m, ACME);
        ScheduleId id = m.schedule(ACME, "starter", EVERY_MINUTE, new StartWork(), UTC);
        clock.advance(Duration.ofMinutes(1));
        fireAndRun(m);

        assertThat(ScheduleJobs.fires()).extracting(Fire::label).containsExactly("start", "work");
        JobRecord scheduled = m.jobs().find(ACME, m.schedules().find(ACME, id).orElseThrow().lastJobId()).orElseThrow();
        JobRecord work = m.jobs().find(ACME, dev.millrace.JobId.of(ScheduleJobs.fires().get(1).jobId())).orElseThrow();
        assertThat(work.parentJobId()).isEqualTo(scheduled.id());
        assertThat(work.status()).isEqualTo(JobStatus.COMPLETED);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void pausedSchedulesDoNotFireAndResumeAtTheNextFireTimeAfterNow(Db db) {
        Millrace m = manual(db);
        tenants(m, ACME);
        ScheduleId id = m.schedule(ACME, "minutely", EVERY_MINUTE, new RecordFire("p"), UTC);

        ScheduleRecord paused = m.schedules().pause(ACME, id);
        assertThat(paused.state()).isEqualTo(ScheduleState.PAUSED);
        assertThat(paused.nextFireTime()).isNull();
        assertThat(m.schedules().nextFireTimes(ACME, id, 5)).isEmpty();
        clock.advance(Duration.ofMinutes(10).plusSeconds(30));
        assertThat(fireAndRun(m)).isZero();
        assertThat(ScheduleJobs.fires()).isEmpty();

        ScheduleRecord resumed = m.schedules().resume(ACME, id);
        assertThat(resumed.state()).isEqualTo(ScheduleState.WAITING);
        assertThat(resumed.nextFireTime()).as("the first fire time after now; none of the paused ones")
                .isEqualTo(START.plus(Duration.ofMinutes(11)));
        assertThat(fireAndRun(m)).isZero();
        clock.advance(Duration.ofSeconds(30));
        assertThat(fireAndRun(m)).isEqualTo(1);
        assertThat(ScheduleJobs.fires()).extracting(Fire::fireTime).containsExactly(START.plus(Duration.ofMinutes(11)));
        assertThat(m.schedules().find(ACME, id).orElseThrow().skippedCount()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aCronChangedAtRuntimeTakesEffectFromTheNextFire(Db db) {
        Millrace m = manual(db);
        tenants(m, ACME);
        ScheduleId id = m.schedule(ACME, "hourly", "0 0 * * * ?", new RecordFire("c"), UTC);
        clock.advance(Duration.ofHours(1));
        fireAndRun(m);
        assertThat(m.schedules().find(ACME, id).orElseThrow().nextFireTime()).isEqualTo(START.plus(Duration.ofHours(2)));

        ScheduleRecord changed = m.schedules().changeCron(ACME, id, "0 15,45 * * * ?");
        assertThat(changed.cron()).isEqualTo("0 15,45 * * * ?");
        assertThat(changed.nextFireTime()).isEqualTo(START.plus(Duration.ofMinutes(75)));
        clock.advance(Duration.ofMinutes(15));
        fireAndRun(m);
        clock.advance(Duration.ofMinutes(30));
        fireAndRun(m);
        assertThat(ScheduleJobs.fires()).extracting(Fire::fireTime).containsExactly(START.plus(Duration.ofHours(1)),
                START.plus(Duration.ofMinutes(75)), START.plus(Duration.ofMinutes(105)));

        assertThatThrownBy(() -> m.schedules().changeCron(ACME, id, "0 0 12 ? * MON#6"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cron expression of schedule 'hourly' is invalid: day-of-week: '#6' out of range 1–5"
                        + " in \"0 0 12 ? * MON#6\"");
        assertThat(m.schedules().find(ACME, id).orElseThrow().cron()).as("unchanged").isEqualTo("0 15,45 * * * ?");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void anExpressionFiringMoreOftenThanThePolicysShortestIntervalIsRefusedAtCreateAndCronChange(Db db) {
        Millrace m = manual(db);
        tenants(m, ACME);
        // The default: at least a minute between fire times (SPEC SCH-6).
        assertThatThrownBy(() -> m.schedule(ACME, "fast", "0/30 * * * * ?", new RecordFire(), UTC))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cron expression '0/30 * * * * ?' of schedule 'fast' fires as often as every 30 s: tenant"
                        + " 'acme' allows at least 60 s between fire times (minScheduleIntervalSeconds); expected an"
                        + " expression that fires less often");
        assertThat(m.schedules().list(ACME)).isEmpty();
        ScheduleId id = m.schedule(ACME, "minutely", EVERY_MINUTE, new RecordFire(), UTC);
        assertThatThrownBy(() -> m.schedules().changeCron(ACME, id, "0,30 59 23 * * ?"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fires as often as every 30 s");
        assertThat(m.schedules().find(ACME, id).orElseThrow().cron()).isEqualTo(EVERY_MINUTE);

        // Salesforce's rule, at most hourly: a quarter-hourly expression is refused, an hourly one accepted.
        m.tenants().put(ACME, TenantPolicy.DEFAULTS.withMinScheduleIntervalSeconds(3600));
        assertThatThrownBy(() -> m.schedules().changeCron(ACME, id, "0 0/15 * * * ?"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fires as often as every 900 s: tenant 'acme' allows at least 3600 s");
        assertThat(m.schedules().changeCron(ACME, id, "0 0 * * * ?").cron()).isEqualTo("0 0 * * * ?");
        assertThatThrownBy(() -> TenantPolicy.DEFAULTS.withMinScheduleIntervalSeconds(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tenant policy minScheduleIntervalSeconds = 0 is out of range: expected 1 to 86400");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void namesAreUniquePerTenantAndTheQuotaIsThePolicys(Db db) {
        Millrace m = manual(db);
        tenants(m, GLOBEX);
        m.tenants().put(ACME, new TenantPolicy(0, 10, 0, 50, 1, 50, 5, 250_000, 5, 100, 3, 7, null, null, null));
        ScheduleId first = m.schedule(ACME, "one", EVERY_MINUTE, new RecordFire(), UTC);
        m.schedule(ACME, "two", EVERY_MINUTE, new RecordFire(), UTC);

        assertThatThrownBy(() -> m.schedule(ACME, "one", "0 0 * * * ?", new RecordFire(), UTC))
                .isInstanceOf(AsyncException.class)
                .hasMessage("the job named 'one' is already scheduled for execution: tenant 'acme' has a schedule with"
                        + " that name; expected a name unique within the tenant");
        assertThat(m.schedules().findByName(ACME, "one").orElseThrow().cron()).isEqualTo(EVERY_MINUTE);
        m.schedule(GLOBEX, "one", EVERY_MINUTE, new RecordFire(), UTC);

        m.schedule(ACME, "three", EVERY_MINUTE, new RecordFire(), UTC);
        assertThatThrownBy(() -> m.schedule(ACME, "four", EVERY_MINUTE, new RecordFire(), UTC))
                .isInstanceOf(AsyncException.class)
                .hasMessage("tenant 'acme' already has 3 schedules, the most its policy allows (maxSchedules 3):"
                        + " expected fewer before scheduling 'four'; delete one first");
        assertThat(m.schedules().list(ACME)).extracting(ScheduleRecord::name).containsExactly("one", "three", "two");

        m.schedules().delete(ACME, first);
        m.schedule(ACME, "four", EVERY_MINUTE, new RecordFire(), UTC);
        assertThat(m.schedules().list(ACME)).extracting(ScheduleRecord::name).containsExactly("four", "three", "two");
        assertThatThrownBy(() -> m.schedules().delete(ACME, first)).isInstanceOf(ScheduleNotFoundException.class)
                .hasMessage("schedule " + first + " does not exist in tenant 'acme': expected the id of one of its"
                        + " schedules");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void theDefaultQuotaIs100(Db db) {
        Millrace m = manual(db);
        tenants(m, ACME);
        for (int i = 0; i < 100; i++) m.schedule(ACME, "s" + i, EVERY_MINUTE, new RecordFire(), UTC);
        assertThatThrownBy(() -> m.schedule(ACME, "s100", EVERY_MINUTE, new RecordFire(), UTC))
                .isInstanceOf(AsyncException.class).hasMessageContaining("already has 100 schedules");
        assertThat(m.schedules().list(ACME)).hasSize(100);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void badInputIsRefusedWithAClearErrorAndNothingStored(Db db) {
        Millrace m = manual(db);
        tenants(m, ACME);
        assertThatThrownBy(() -> m.schedule(ACME, "bad", "0 0 12 * * MON", new RecordFire(), UTC))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cron expression of schedule 'bad' is invalid: ")
                .hasMessageContaining("0 0 12 * * MON");
        assertThatThrownBy(() -> m.schedule(ACME, "past", "0 0 20 * * ? 2029", new RecordFire(), UTC))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cron expression '0 0 20 * * ? 2029' of schedule 'past' has no fire time after "
                        + START + " in Z: expected an expression that fires in the future");
        assertThatThrownBy(() -> m.schedule(ACME, "", EVERY_MINUTE, new RecordFire(), UTC))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("schedule name '' is invalid: expected 1 to 255 characters, not all blank");
        assertThatThrownBy(() -> m.schedule(ACME, "x".repeat(256), EVERY_MINUTE, new RecordFire(), UTC))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected 1 to 255 characters");
        assertThatThrownBy(() -> m.schedule(ACME, "unregistered", EVERY_MINUTE, ctx -> { }, UTC))
                .isInstanceOf(UnknownJobTypeException.class);
        assertThat(m.schedules().list(ACME)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void afterAllNodesWereDownAScheduleFiresOnceThenContinuesOnSchedule(Db db) {
        TestDatabase d = database(db);
        ScheduleId id;
        try (Millrace before = d.builder().clock(clock).register(RecordFire.class).build().start()) {
            tenants(before, ACME);
            id = before.schedule(ACME, "minutely", EVERY_MINUTE, new RecordFire("m"), UTC);
        }
        clock.advance(Duration.ofHours(1).plusSeconds(30));   // every node down for an hour: 60 fire times missed

        Millrace after = manual(db);
        assertThat(fireAndRun(after)).isEqualTo(1);
        assertThat(fireAndRun(after)).as("never a burst of the missed ones").isZero();
        assertThat(ScheduleJobs.fires()).extracting(Fire::fireTime).containsExactly(START.plusSeconds(60));
        ScheduleRecord s = after.schedules().find(ACME, id).orElseThrow();
        assertThat(s.fireCount()).isEqualTo(1);
        assertThat(s.skippedCount()).as("the other missed fire times").isEqualTo(59);
        assertThat(s.nextFireTime()).isEqualTo(START.plus(Duration.ofMinutes(61)));

        clock.advance(Duration.ofSeconds(30));
        assertThat(fireAndRun(after)).isEqualTo(1);
        assertThat(ScheduleJobs.fires()).extracting(Fire::fireTime)
                .containsExactly(START.plusSeconds(60), START.plus(Duration.ofMinutes(61)));
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void theSkipMisfirePolicyPassesOverMissedFireTimes(Db db) {
        TestDatabase d = database(db);
        ScheduleId id;
        try (Millrace before = d.builder().clock(clock).register(RecordFire.class).build()) {
            tenants(before, ACME);
            id = before.schedule(ACME, "minutely", EVERY_MINUTE, new RecordFire("k"), UTC,
                    ScheduleOptions.defaults().misfirePolicy(MisfirePolicy.SKIP));
        }
        clock.advance(Duration.ofHours(1).plusSeconds(30));

        Millrace after = manual(db);
        assertThat(fireAndRun(after)).isEqualTo(1);
        assertThat(ScheduleJobs.fires()).isEmpty();
        ScheduleRecord s = after.schedules().find(ACME, id).orElseThrow();
        assertThat(s.misfirePolicy()).isEqualTo(MisfirePolicy.SKIP);
        assertThat(s.fireCount()).isZero();
        assertThat(s.skippedCount()).isEqualTo(60);
        assertThat(s.nextFireTime()).isEqualTo(START.plus(Duration.ofMinutes(61)));
        clock.advance(Duration.ofSeconds(30));
        fireAndRun(after);
        assertThat(ScheduleJobs.fires()).extracting(Fire::fireTime).containsExactly(START.plus(Duration.ofMinutes(61)));
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void anOccurrenceDueWhileThePreviousJobIsActiveIsSkippedUnlessOverlapIsAllowed(Db db) {
        Millrace m = manual(db);
        tenants(m, ACME);
        ScheduleId strict = m.schedule(ACME, "strict", EVERY_MINUTE, new RecordFire("strict"), UTC);
        ScheduleId overlapping = m.schedule(ACME, "overlapping", EVERY_MINUTE, new RecordFire("overlap"), UTC,
                ScheduleOptions.defaults().allowOverlap(true));

        clock.advance(Duration.ofMinutes(1));
        assertThat(m.fireDueSchedules()).isEqualTo(2);      // the jobs stay queued: nothing runs them yet
        assertThat(m.schedules().find(ACME, strict).orElseThrow().state()).isEqualTo(ScheduleState.EXECUTING);
        clock.advance(Duration.ofMinutes(1));
        assertThat(m.fireDueSchedules()).isEqualTo(2);

        ScheduleRecord s = m.schedules().find(ACME, strict).orElseThrow();
        assertThat(s.fireCount()).isEqualTo(1);
        assertThat(s.skippedCount()).isEqualTo(1);
        assertThat(s.nextFireTime()).isEqualTo(START.plus(Duration.ofMinutes(3)));
        ScheduleRecord o = m.schedules().find(ACME, overlapping).orElseThrow();
        assertThat(o.fireCount()).isEqualTo(2);
        assertThat(o.skippedCount()).isZero();

        m.runReadyJobs(ACME, 100);
        assertThat(ScheduleJobs.fires()).extracting(Fire::label).containsExactlyInAnyOrder("strict", "overlap", "overlap");
        assertThat(m.schedules().find(ACME, strict).orElseThrow().state()).isEqualTo(ScheduleState.WAITING);
        clock.advance(Duration.ofMinutes(1));
        fireAndRun(m);
        assertThat(m.schedules().find(ACME, strict).orElseThrow().fireCount()).isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void schedulesSurviveARestartOfEveryNode(Db db) {
        TestDatabase d = database(db);
        ScheduleId id;
        try (Millrace first = started(d.builder().register(RecordFire.class))) {
            tenants(first, ACME);
            first.tenants().put(ACME, TenantPolicy.DEFAULTS.withMinScheduleIntervalSeconds(1));
            id = first.schedule(ACME, "every-second", "* * * * * ?", new RecordFire("r"), UTC);
        }
        ScheduleJobs.reset();
        Millrace second = started(d.builder().register(RecordFire.class));
        await().atMost(Duration.ofSeconds(30)).until(() -> !ScheduleJobs.fires().isEmpty());
        assertThat(ScheduleJobs.fires().get(0).scheduleId()).isEqualTo(id.value());
        assertThat(second.schedules().find(ACME, id).orElseThrow().fireCount()).isPositive();
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aStateThatCanNoLongerBeRebuiltPausesTheScheduleWithTheReason(Db db) {
        Millrace m = manual(db);
        tenants(m, ACME);
        ScheduleId id = m.schedule(ACME, "counter", EVERY_MINUTE, new Counter(), UTC);
        TestDatabase d = database(db);
        d.execute("UPDATE \"" + d.schema() + "\".mr_schedule SET payload = '{\"count\":\"many\"}'");

        clock.advance(Duration.ofMinutes(1));
        assertThat(fireAndRun(m)).isEqualTo(1);
        assertThat(ScheduleJobs.fires()).isEmpty();
        ScheduleRecord s = m.schedules().find(ACME, id).orElseThrow();
        assertThat(s.state()).isEqualTo(ScheduleState.PAUSED);
        assertThat(s.lastError()).startsWith("at fire time " + START.plusSeconds(60) + ": SerializationException:")
                .contains("field 'count'");
        assertThat(s.fireCount()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aScheduleWhoseLastFireTimeHasPassedCompletesAndFreesItsSlot(Db db) {
        Millrace m = manual(db);
        tenants(m, ACME);
        ScheduleId id = m.schedule(ACME, "once", "0 30 0 1 JAN ? 2030", new RecordFire("once"), UTC);
        clock.advance(Duration.ofMinutes(30));
        assertThat(fireAndRun(m)).isEqualTo(1);
        ScheduleRecord s = m.schedules().find(ACME, id).orElseThrow();
        assertThat(s.state()).isEqualTo(ScheduleState.COMPLETED);
        assertThat(s.nextFireTime()).isNull();
        assertThat(s.fireCount()).isEqualTo(1);
        m.schedule(ACME, "once", EVERY_MINUTE, new RecordFire(), UTC);
        assertThat(m.schedules().list(ACME)).singleElement().extracting(ScheduleRecord::cron).isEqualTo(EVERY_MINUTE);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void runNowRunsTheSchedulableOnceWithoutTouchingTheSchedule(Db db) {
        Millrace m = manual(db);
        tenants(m, ACME);
        ScheduleId id = m.schedule(ACME, "hourly", "0 0 * * * ?", new RecordFire("now"), UTC);
        clock.advance(Duration.ofMinutes(7));
        dev.millrace.JobId job = m.schedules().runNow(ACME, id);
        m.runReadyJobs(ACME, 10);

        assertThat(ScheduleJobs.fires()).singleElement().satisfies(f -> {
            assertThat(f.jobId()).isEqualTo(job.value());
            assertThat(f.fireTime()).isEqualTo(START.plus(Duration.ofMinutes(7)));
        });
        ScheduleRecord s = m.schedules().find(ACME, id).orElseThrow();
        assertThat(s.fireCount()).isZero();
        assertThat(s.nextFireTime()).isEqualTo(START.plus(Duration.ofHours(1)));
        ScheduleId unknown = ScheduleId.of(java.util.UUID.randomUUID());
        assertThatThrownBy(() -> m.schedules().runNow(ACME, unknown)).isInstanceOf(ScheduleNotFoundException.class);
        assertThatThrownBy(() -> m.schedules().runNow(GLOBEX, id)).as("another tenant's schedule is unknown")
                .isInstanceOf(ScheduleNotFoundException.class);
    }
}
