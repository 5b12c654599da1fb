package dev.millrace.batch;

import dev.millrace.JobId;
import dev.millrace.JobQuery;
import dev.millrace.JobRecord;
import dev.millrace.JobStatus;
import dev.millrace.JobType;
import dev.millrace.Millrace;
import dev.millrace.TenantId;
import dev.millrace.TenantPolicy;
import dev.millrace.batch.TestBatches.Letters;
import dev.millrace.batch.TestBatches.SumItems;
import dev.millrace.limits.LimitException;
import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import dev.millrace.testing.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Batches end to end on the real store: chunks, failures, state, abort, scope checks and the flex queue. */
class BatchTest extends DatabaseTest {
    static final TenantId ACME = TenantId.of("acme");

    @BeforeEach
    void resetEvents() {
        TestBatches.reset();
    }

    private Millrace node(Db db) {
        Millrace m = node(builder(db).pollInterval(Duration.ofMillis(50)).register(SumItems.class)
                .register(Letters.class).register(TestBatches.WaitsInSecondChunk.class)
                .register(TestBatches.ParallelLetters.class).registerHandler(ErrorWatcher.class));
        m.tenants().create(ACME);
        return m;
    }

    private static JobRecord awaitEnd(Millrace m, JobId id) {
        return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(25))
                .until(() -> m.jobs().find(ACME, id).orElseThrow(), j -> j.status().isTerminal());
    }

    private static String t(TestDatabase d, String table) {
        return "\"" + d.schema() + "\"." + table;
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void queryBatchRunsEveryChunkInOrderThenFinishWithStateCarriedAcrossChunks(Db db) {
        TestDatabase d = database(db);
        Millrace m = node(db).start();
        TestBatches.createTables(d, 1_000);

        JobId id = m.executeBatch(ACME, new SumItems(d.schema(), "sum", Set.of(), 0), 100);
        JobRecord batch = awaitEnd(m, id);

        assertThat(batch.type()).isEqualTo(JobType.BATCH);
        assertThat(batch.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(batch.totalJobItems()).as("total items = chunks").isEqualTo(10);
        assertThat(batch.jobItemsProcessed()).isEqualTo(10);
        assertThat(batch.numberOfErrors()).isZero();
        List<JobRecord> chunks = m.batches().chunks(ACME, id);
        assertThat(chunks).hasSize(10).allSatisfy(c -> {
            assertThat(c.type()).isEqualTo(JobType.BATCH_CHUNK);
            assertThat(c.status()).isEqualTo(JobStatus.COMPLETED);
            assertThat(c.parentJobId()).isEqualTo(id);
        });
        assertThat(d.queryLong("SELECT COUNT(*) FROM " + t(d, "bt_done"))).isEqualTo(1_000);
        // 1/100 + ... + 1000/100 = 5005.00, summed by a Stateful batch across 10 chunks.
        assertThat(d.queryLong("SELECT total * 100 FROM " + t(d, "bt_result"))).isEqualTo(500_500);
        assertThat(d.queryLong("SELECT chunks FROM " + t(d, "bt_result"))).isEqualTo(10);
        assertThat(TestBatches.EVENTS).containsExactly("sum:start", "sum:finish");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(d.queryLong("SELECT COUNT(*) FROM \""
                + d.schema() + "\".mr_batch_chunk")).as("chunk records are deleted once the batch ended").isZero());
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void failedChunkRollsBackOnlyItselfIsRecordedAndFinishStillRuns(Db db) {
        TestDatabase d = database(db);
        Millrace m = node(db).start();
        TestBatches.createTables(d, 1_000);

        JobId id = m.executeBatch(ACME, new SumItems(d.schema(), "iso", Set.of(250L, 777L), 0), 100);
        JobRecord batch = awaitEnd(m, id);

        assertThat(batch.status()).as("a batch with failed chunks still completes").isEqualTo(JobStatus.COMPLETED);
        assertThat(batch.numberOfErrors()).isEqualTo(2);
        assertThat(batch.jobItemsProcessed()).isEqualTo(10);
        assertThat(batch.extendedStatus()).isEqualTo("java.lang.IllegalStateException: item 250 is bad");
        assertThat(d.queryLong("SELECT COUNT(*) FROM " + t(d, "bt_done"))).as("ids written by committed chunks")
                .isEqualTo(800);
        assertThat(d.queryLong("SELECT COUNT(*) FROM " + t(d, "bt_done") + " WHERE id BETWEEN 201 AND 300")).isZero();
        // The state a failed chunk changed is not carried: 8 chunks' records.
        assertThat(d.queryLong("SELECT records FROM " + t(d, "bt_result"))).isEqualTo(800);
        assertThat(d.queryLong("SELECT chunks FROM " + t(d, "bt_result"))).isEqualTo(8);

        List<JobRecord> chunks = m.batches().chunks(ACME, id);
        assertThat(chunks.stream().filter(c -> c.status() == JobStatus.FAILED)).hasSize(2);
        JobRecord failed = chunks.get(2);
        assertThat(failed.status()).isEqualTo(JobStatus.FAILED);
        assertThat(failed.numberOfErrors()).isEqualTo(1);

        List<BatchError> errors = m.batches().errors(ACME, id);
        assertThat(errors).hasSize(2);
        BatchError first = errors.get(0);
        assertThat(first.batchJobId()).isEqualTo(id);
        assertThat(first.chunkJobId()).isEqualTo(failed.id());
        assertThat(first.phase()).isEqualTo(BatchPhase.EXECUTE);
        assertThat(first.exceptionType()).isEqualTo("java.lang.IllegalStateException");
        assertThat(first.message()).isEqualTo("item 250 is bad");
        assertThat(first.stackTrace()).contains("SumItems.execute");
        assertThat(first.failedRecordIds()).containsExactlyElementsOf(
                LongStream.rangeClosed(201, 300).mapToObj(Long::toString).toList());
        assertThat(first.scopeTruncated()).isFalse();
        assertThat(errors.get(1).failedRecordIds()).contains("777").hasSize(100);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void statelessBatchStartsEveryChunkFromTheStateAfterStart(Db db) {
        Millrace m = node(db).start();
        JobId id = m.executeBatch(ACME, new Letters("abc", 25), 10);
        JobRecord batch = awaitEnd(m, id);
        assertThat(batch.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(batch.totalJobItems()).isEqualTo(3);
        assertThat(TestBatches.EVENTS).containsExactly("abc:start", "abc:chunk@100:10", "abc:chunk@100:10",
                "abc:chunk@100:5", "abc:finish@100");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void parallelChunksOfAStatelessBatchAllRunOnce(Db db) {
        Millrace m = node(db).start();
        List<dev.millrace.monitoring.EndedJob> ended = new java.util.concurrent.CopyOnWriteArrayList<>();
        m.monitoring().takeEnded(ended::add);
        JobId id = m.executeBatch(ACME, new TestBatches.ParallelLetters("par", 200), 5);
        JobRecord batch = awaitEnd(m, id);
        assertThat(batch.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(batch.jobItemsProcessed()).isEqualTo(40);
        assertThat(TestBatches.EVENTS.stream().filter(e -> e.startsWith("par:chunk@100:5"))).hasSize(40);
        assertThat(m.batches().chunks(ACME, id)).hasSize(40).allMatch(c -> c.status() == JobStatus.COMPLETED);
        // The node's ended jobs for metrics: each chunk and the batch, once, with their times.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            m.monitoring().takeEnded(ended::add);
            assertThat(ended).filteredOn(j -> j.type() == JobType.BATCH).hasSize(1);
        });
        assertThat(ended).filteredOn(j -> j.type() == JobType.BATCH_CHUNK).hasSize(40);
        assertThat(ended).hasSize(41).allSatisfy(j -> {
            assertThat(j.status()).isEqualTo(JobStatus.COMPLETED);
            assertThat(j.waited()).isNotNull();
            assertThat(j.ran()).isNotNull();
        });
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void startThatThrowsFailsTheBatchWithoutChunksOrFinish(Db db) {
        Millrace m = node(db).start();
        JobId id = m.executeBatch(ACME, new Letters("bad", 5).failing(true, false), 10);
        JobRecord batch = awaitEnd(m, id);
        assertThat(batch.status()).isEqualTo(JobStatus.FAILED);
        assertThat(batch.extendedStatus()).isEqualTo("java.lang.IllegalArgumentException: no letters today");
        assertThat(TestBatches.EVENTS).containsExactly("bad:start");
        assertThat(m.batches().chunks(ACME, id)).isEmpty();
        assertThat(m.batches().errors(ACME, id)).singleElement().satisfies(e -> {
            assertThat(e.phase()).isEqualTo(BatchPhase.START);
            assertThat(e.chunkJobId()).isNull();
            assertThat(e.failedRecordIds()).isEmpty();
        });
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void finishThatThrowsFailsTheBatchAfterEveryChunk(Db db) {
        Millrace m = node(db).start();
        JobId id = m.executeBatch(ACME, new Letters("fin", 5).failing(false, true), 2);
        JobRecord batch = awaitEnd(m, id);
        assertThat(batch.status()).isEqualTo(JobStatus.FAILED);
        assertThat(batch.jobItemsProcessed()).isEqualTo(3);
        assertThat(batch.extendedStatus()).isEqualTo("java.lang.IllegalStateException: finish broke");
        assertThat(m.batches().errors(ACME, id)).singleElement()
                .satisfies(e -> assertThat(e.phase()).isEqualTo(BatchPhase.FINISH));
    }

    /** Records batch error events: phase, exception type and message. */
    public static final class ErrorWatcher implements dev.millrace.event.EventHandler {
        static final List<String> SEEN = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public void handle(List<dev.millrace.event.EventRecord> events, dev.millrace.event.DeliveryContext context) {
            for (var e : events) {
                SEEN.add(e.getString("jobId") + " " + e.getString("phase") + " " + e.getString("exceptionType") + " "
                        + e.getString("message"));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void batchErrorsArePublishedOnTheSystemChannelForTenantsThatSubscribe(Db db) {
        Millrace m = node(db);
        ErrorWatcher.SEEN.clear();
        m.events().subscribe(ACME, dev.millrace.event.Subscription.of("errors", dev.millrace.event.Events.BATCH_ERROR_CHANNEL,
                ErrorWatcher.class));
        m.start();
        JobId id = m.executeBatch(ACME, new Letters("fin", 5).failing(false, true), 2);
        awaitEnd(m, id);
        await().atMost(Duration.ofSeconds(30)).until(() -> !ErrorWatcher.SEEN.isEmpty());
        assertThat(ErrorWatcher.SEEN).containsExactly(id + " FINISH java.lang.IllegalStateException finish broke");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void abortMidBatchInterruptsTheRunningChunkStartsNoOtherAndSkipsFinish(Db db) throws Exception {
        Millrace m = node(db).start();
        List<dev.millrace.monitoring.EndedJob> ended = new java.util.concurrent.CopyOnWriteArrayList<>();
        m.monitoring().takeEnded(ended::add);
        JobId id = m.executeBatch(ACME, new TestBatches.WaitsInSecondChunk(), 2);
        assertThat(TestBatches.chunkRunning.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(m.jobs().find(ACME, id).orElseThrow().status()).isEqualTo(JobStatus.PROCESSING);
        m.jobs().abort(ACME, id);
        JobRecord batch = awaitEnd(m, id);

        assertThat(batch.status()).isEqualTo(JobStatus.ABORTED);
        assertThat(TestBatches.EVENTS).containsExactly("chunk [1, 2]", "chunk [3, 4]");
        List<JobRecord> chunks = m.batches().chunks(ACME, id);
        assertThat(chunks).extracting(JobRecord::status).containsExactly(JobStatus.COMPLETED, JobStatus.ABORTED,
                JobStatus.ABORTED, JobStatus.ABORTED, JobStatus.ABORTED);
        assertThat(m.batches().errors(ACME, id)).as("an abort is not an error").isEmpty();
        // The node's ended jobs for metrics count the chunks that never ran too, as ends without wait or run time.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            m.monitoring().takeEnded(ended::add);
            assertThat(ended).filteredOn(j -> j.type() == JobType.BATCH).extracting(dev.millrace.monitoring.EndedJob::status)
                    .containsExactly(JobStatus.ABORTED);
        });
        assertThat(ended).filteredOn(j -> j.type() == JobType.BATCH_CHUNK).extracting(dev.millrace.monitoring.EndedJob::status)
                .containsExactlyInAnyOrder(JobStatus.COMPLETED, JobStatus.ABORTED, JobStatus.ABORTED, JobStatus.ABORTED,
                        JobStatus.ABORTED);
        assertThat(ended).filteredOn(j -> j.type() == JobType.BATCH_CHUNK && j.waited() == null).hasSize(3);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void scopeOutsideItsRangeIsRefusedNamingTheRangeAndNothingIsSubmitted(Db db) {
        TestDatabase d = database(db);
        Millrace m = node(db);
        SumItems query = new SumItems(d.schema(), "q", Set.of(), 0);
        assertThatThrownBy(() -> m.executeBatch(ACME, query, 2_001)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("scope 2001 is out of range: expected 1 to 2000 for a query source");
        assertThatThrownBy(() -> m.executeBatch(ACME, query, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("scope 0 is out of range: expected 1 to 2000");
        assertThatThrownBy(() -> m.executeBatch(ACME, new Letters("x", 1), -5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("scope -5 is out of range: expected 1 to 2000 for a query source (at least 1 for an iterable)");
        assertThat(m.jobs().find(JobQuery.forTenant(ACME).build()).jobs()).isEmpty();
        // An iterable has no upper bound.
        assertThat(m.executeBatch(ACME, new Letters("big", 3), 5_000)).isNotNull();
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void flexQueueHoldsBatchesOverTheCapRefusesPastItsCapacityAndReleasesInItsOrder(Db db) {
        Millrace m = node(db);
        m.tenants().put(ACME, new TenantPolicy(0, 10, 0, 50, 1, 50, 5, 250_000, 1, 3, 100, 7, null, null, null));
        JobId first = m.executeBatch(ACME, new Letters("b1", 1), 10);
        JobId second = m.executeBatch(ACME, new Letters("b2", 1), 10);
        JobId third = m.executeBatch(ACME, new Letters("b3", 1), 10);
        JobId fourth = m.executeBatch(ACME, new Letters("b4", 1), 10);
        assertThat(m.jobs().find(ACME, first).orElseThrow().status()).isEqualTo(JobStatus.QUEUED);
        assertThat(m.jobs().find(ACME, second).orElseThrow().status()).isEqualTo(JobStatus.HOLDING);
        assertThat(m.batches().flexQueue(ACME)).containsExactly(second, third, fourth);

        assertThatThrownBy(() -> m.executeBatch(ACME, new Letters("b5", 1), 10)).isInstanceOf(LimitException.class)
                .hasMessageStartingWith("exceeded the limit of 3 jobs in the flex queue");
        assertThat(m.jobs().find(JobQuery.forTenant(ACME).build()).jobs()).as("the refused batch created nothing").hasSize(4);

        assertThat(m.batches().moveToFront(ACME, fourth)).isTrue();
        assertThat(m.batches().moveToFront(ACME, fourth)).isFalse();
        assertThat(m.batches().moveTo(ACME, second, 99)).isTrue();
        assertThat(m.batches().flexQueue(ACME)).containsExactly(fourth, third, second);
        assertThatThrownBy(() -> m.batches().moveTo(ACME, first, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not holding in the flex queue of tenant 'acme'");
        m.jobs().abort(ACME, third);
        assertThat(m.jobs().find(ACME, third).orElseThrow().status()).isEqualTo(JobStatus.ABORTED);
        assertThat(m.batches().flexQueue(ACME)).containsExactly(fourth, second);

        m.start();
        for (JobId id : List.of(first, second, fourth)) assertThat(awaitEnd(m, id).status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(TestBatches.EVENTS.stream().filter(e -> e.endsWith(":start")))
                .as("one active batch at a time, holding ones in flex-queue order")
                .containsExactly("b1:start", "b4:start", "b2:start");
        assertThat(m.batches().flexQueue(ACME)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void flexQueueMovesABatchToTheEndBeforeOrAfterAnother(Db db) {
        Millrace m = node(db);
        m.tenants().put(ACME, new TenantPolicy(0, 10, 0, 50, 1, 50, 5, 250_000, 1, 10, 100, 7, null, null, null));
        m.executeBatch(ACME, new Letters("running", 1), 10);
        JobId a = m.executeBatch(ACME, new Letters("a", 1), 10);
        JobId b = m.executeBatch(ACME, new Letters("b", 1), 10);
        JobId c = m.executeBatch(ACME, new Letters("c", 1), 10);
        JobId d = m.executeBatch(ACME, new Letters("d", 1), 10);

        assertThat(m.batches().moveToEnd(ACME, a)).isTrue();
        assertThat(m.batches().moveToEnd(ACME, a)).isFalse();
        assertThat(m.batches().flexQueue(ACME)).containsExactly(b, c, d, a);
        assertThat(m.batches().moveBefore(ACME, a, b)).isTrue();
        assertThat(m.batches().moveBefore(ACME, a, b)).as("already just before it").isFalse();
        assertThat(m.batches().flexQueue(ACME)).containsExactly(a, b, c, d);
        assertThat(m.batches().moveAfter(ACME, b, d)).isTrue();
        assertThat(m.batches().moveAfter(ACME, c, a)).isFalse();
        assertThat(m.batches().flexQueue(ACME)).containsExactly(a, c, d, b);
        assertThatThrownBy(() -> m.batches().moveBefore(ACME, a, a)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot be moved before itself");
        JobId unknown = JobId.of(java.util.UUID.randomUUID());
        assertThatThrownBy(() -> m.batches().moveAfter(ACME, a, unknown)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(unknown.toString()).hasMessageContaining("is not holding in the flex queue");
        assertThat(m.batches().flexQueue(ACME)).as("a refused move changes nothing").containsExactly(a, c, d, b);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void atMostFiveBatchesAreActiveAtOnceByDefault(Db db) {
        Millrace m = node(db);
        List<JobId> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 7; i++) ids.add(m.executeBatch(ACME, new Letters("n" + i, 1), 10));
        assertThat(ids.stream().map(id -> m.jobs().find(ACME, id).orElseThrow().status()))
                .containsExactly(JobStatus.QUEUED, JobStatus.QUEUED, JobStatus.QUEUED, JobStatus.QUEUED,
                        JobStatus.QUEUED, JobStatus.HOLDING, JobStatus.HOLDING);
        m.start();
        for (JobId id : ids) assertThat(awaitEnd(m, id).status()).isEqualTo(JobStatus.COMPLETED);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void scheduledBatchIsAOneShotScheduleWhoseIdIsReturnedAndWhichSubmitsTheBatchAtItsTime(Db db) {
        dev.millrace.testing.MutableClock clock = dev.millrace.testing.MutableClock.now();
        Millrace m = node(builder(db).clock(clock).pollInterval(Duration.ofMillis(50)).register(Letters.class));
        m.tenants().create(ACME);
        m.start();
        assertThatThrownBy(() -> m.scheduleBatch(ACME, "never", new Letters("never", 1), 0, 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("minutes 0 is out of range: expected at least 1");
        assertThat(m.schedules().list(ACME)).as("a refused call stores nothing").isEmpty();

        dev.millrace.schedule.ScheduleId id = m.scheduleBatch(ACME, "letters later", new Letters("later", 3), 5, 10);
        dev.millrace.schedule.ScheduleRecord schedule = m.schedules().find(ACME, id).orElseThrow();
        assertThat(schedule.name()).isEqualTo("letters later");
        assertThat(schedule.state()).isEqualTo(dev.millrace.schedule.ScheduleState.WAITING);
        assertThat(schedule.className()).as("the batch's class, not the platform's launcher")
                .isEqualTo(Letters.class.getName());
        assertThatThrownBy(() -> m.scheduleBatch(ACME, "letters later", new Letters("twice", 1), 5, 10))
                .isInstanceOf(dev.millrace.AsyncException.class).hasMessageContaining("letters later");
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
                .until(() -> m.jobs().find(JobQuery.forTenant(ACME).type(JobType.BATCH).build()).jobs().isEmpty());
        assertThat(TestBatches.EVENTS).isEmpty();

        clock.advance(Duration.ofMinutes(5).plusSeconds(1));
        JobId batch = await().atMost(Duration.ofSeconds(30)).until(() -> m.jobs().find(JobQuery.forTenant(ACME)
                .type(JobType.BATCH).build()).jobs(), l -> !l.isEmpty()).get(0).id();
        assertThat(awaitEnd(m, batch).status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(TestBatches.EVENTS).containsExactly("later:start", "later:chunk@100:3", "later:finish@100");
        await("one shot: no fire time left").atMost(Duration.ofSeconds(10)).until(
                () -> m.schedules().find(ACME, id).orElseThrow().state()
                        == dev.millrace.schedule.ScheduleState.COMPLETED);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void deletingTheScheduleOfAScheduledBatchBeforeItsTimeCancelsTheBatch(Db db) {
        dev.millrace.testing.MutableClock clock = dev.millrace.testing.MutableClock.now();
        Millrace m = node(builder(db).clock(clock).pollInterval(Duration.ofMillis(50)).register(Letters.class));
        m.tenants().create(ACME);
        dev.millrace.schedule.ScheduleId id = m.scheduleBatch(ACME, "cancelled", new Letters("cancelled", 3), 1);
        m.schedules().delete(ACME, id);
        clock.advance(Duration.ofMinutes(2));
        m.fireDueSchedules();
        m.runReadyJobs(ACME, 10);
        assertThat(m.jobs().find(JobQuery.forTenant(ACME).type(JobType.BATCH).build()).jobs()).isEmpty();
        assertThat(TestBatches.EVENTS).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void iterableOverTheTenantsQueryRowLimitFailsAtStartNamingTheCapAndThePolicyKey(Db db) {
        Millrace m = node(db);
        TenantId small = TenantId.of("small");
        m.tenants().put(small, TenantPolicy.DEFAULTS.withLimits(dev.millrace.limits.LimitProfile.SYNC,
                dev.millrace.limits.LimitProfile.ASYNC.with(dev.millrace.limits.Limit.QUERY_ROWS, 10)));
        m.start();
        JobId fits = m.executeBatch(small, new Letters("fits", 10), 5);
        JobId over = m.executeBatch(small, new Letters("over", 11), 5);
        JobRecord ok = await().atMost(Duration.ofSeconds(60)).until(() -> m.jobs().find(small, fits).orElseThrow(),
                j -> j.status().isTerminal());
        JobRecord failed = await().atMost(Duration.ofSeconds(60)).until(() -> m.jobs().find(small, over).orElseThrow(),
                j -> j.status().isTerminal());
        assertThat(ok.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(failed.status()).isEqualTo(JobStatus.FAILED);
        assertThat(failed.extendedStatus()).contains("too many records in a batch's iterable: more than 10")
                .contains("policy asyncLimits.queryRows");
        assertThat(m.batches().chunks(small, over)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void iterableOverTheRowLimitFailsAtStart(Db db) {
        Millrace m = node(db).start();
        JobId id = m.executeBatch(ACME, new Letters("huge", 50_001), 2_000);
        JobRecord batch = awaitEnd(m, id);
        assertThat(batch.status()).isEqualTo(JobStatus.FAILED);
        assertThat(batch.extendedStatus()).contains("too many records in a batch's iterable: more than 50000");
        assertThat(m.batches().chunks(ACME, id)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void rowsKeepTheirValues(Db db) {
        TestDatabase d = database(db);
        Millrace m = node(db).start();
        TestBatches.createTables(d, 3);
        JobId id = m.executeBatch(ACME, new SumItems(d.schema(), "vals", Set.of(), 0), 2);
        awaitEnd(m, id);
        assertThat(d.queryLong("SELECT total * 100 FROM " + t(d, "bt_result"))).isEqualTo(6);
        assertThat(new BigDecimal("0.06")).isNotNull();
    }
}
