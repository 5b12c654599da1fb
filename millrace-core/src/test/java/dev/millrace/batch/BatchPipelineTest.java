package dev.millrace.batch;

import dev.millrace.JobId;
import dev.millrace.JobRecord;
import dev.millrace.JobStatus;
import dev.millrace.Millrace;
import dev.millrace.TenantId;
import dev.millrace.batch.TestBatches.SlowCut;
import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import dev.millrace.testing.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A query source is cut while its chunks run: the first chunks start once they are stored, not once the whole
 * source is; a serial batch still runs them in order, each record once; an abort stops the cut too, and a query
 * that fails while it is cut fails the batch in START without finish.
 */
class BatchPipelineTest extends DatabaseTest {
    static final TenantId ACME = TenantId.of("acme");

    @BeforeEach
    void resetEvents() {
        TestBatches.reset();
    }

    private Millrace started(Db db, TestDatabase d, int items) {
        return started(builder(db), d, items);
    }

    private Millrace started(Millrace.Builder builder, TestDatabase d, int items) {
        Millrace m = node(builder.pollInterval(Duration.ofMillis(50)).register(SlowCut.class)
                .register(TestBatches.ParallelSlowCut.class));
        tenants(m, ACME);
        TestBatches.createTables(d, items);
        TestBatches.createPause(d);
        return m.start();
    }

    private static JobRecord awaitEnd(Millrace m, JobId id) {
        return await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(25))
                .until(() -> m.jobs().find(ACME, id).orElseThrow(), j -> j.status().isTerminal());
    }

    private static String t(TestDatabase d, String table) {
        return "\"" + d.schema() + "\"." + table;
    }

    /** The chunk records go right after the batch's end commits. */
    private static void recordsDropped(TestDatabase d) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(d.queryLong("SELECT COUNT(*) FROM " + t(d, "mr_batch_chunk"))).isZero());
    }

    private static long cutting(TestDatabase d, JobId id) {
        return d.queryLong("SELECT COUNT(*) FROM " + t(d, "mr_batch") + " WHERE job_id = '" + id + "' AND phase = 'CUT'");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void chunksRunWhileTheQueryIsStillBeingCutInOrderEachRecordOnce(Db db) {
        TestDatabase d = database(db);
        Millrace m = started(db, d, 600);

        // 600 rows at 3 ms each: the cut takes about 2 s, the chunks of the first fetch run long before.
        JobId id = m.executeBatch(ACME, new SlowCut(d.schema(), "pipe", 0, 3), 10);
        if (db == Db.POSTGRES) {
            // PostgreSQL streams the query's rows as they come (H2 computes its result before the first row).
            JobRecord mid = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
                    .until(() -> m.jobs().find(ACME, id).orElseThrow(),
                            j -> j.jobItemsProcessed() > 0 && cutting(d, id) == 1);
            assertThat(mid.status()).as("chunks ran while the cut went on").isEqualTo(JobStatus.PROCESSING);
            assertThat(mid.totalJobItems()).as("total items grows with the cut").isLessThan(60);
        }
        JobRecord batch = awaitEnd(m, id);

        assertThat(batch.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(batch.totalJobItems()).as("total items once the cut ended").isEqualTo(60);
        assertThat(batch.jobItemsProcessed()).isEqualTo(60);
        assertThat(TestBatches.EVENTS.stream().filter(e -> e.startsWith("pipe:chunk:")).toList())
                .as("a serial batch's chunks in order").containsExactlyElementsOf(
                        IntStream.range(0, 60).mapToObj(i -> "pipe:chunk:" + (i * 10 + 1)).toList());
        assertThat(d.queryLong("SELECT COUNT(*) FROM " + t(d, "bt_done"))).isEqualTo(600);
        assertThat(d.queryLong("SELECT COUNT(DISTINCT id) FROM " + t(d, "bt_done"))).isEqualTo(600);
        assertThat(d.queryLong("SELECT records FROM " + t(d, "bt_result"))).as("the stateful count").isEqualTo(600);
        assertThat(d.queryLong("SELECT total * 100 FROM " + t(d, "bt_result"))).isEqualTo(600L * 601 / 2);
        assertThat(m.batches().chunks(ACME, id)).hasSize(60).allMatch(c -> c.status() == JobStatus.COMPLETED);
        recordsDropped(d);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void parallelChunksOfAStatelessBatchRunEachStoredChunkOnceWhileTheCutGoesOn(Db db) {
        TestDatabase d = database(db);
        Millrace m = started(db, d, 600);

        JobId id = m.executeBatch(ACME, new TestBatches.ParallelSlowCut(d.schema(), "par"), 10);
        JobRecord batch = awaitEnd(m, id);

        assertThat(batch.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(batch.totalJobItems()).isEqualTo(60);
        assertThat(batch.jobItemsProcessed()).isEqualTo(60);
        assertThat(d.queryLong("SELECT COUNT(*) FROM " + t(d, "bt_done"))).isEqualTo(600);
        assertThat(d.queryLong("SELECT COUNT(DISTINCT id) FROM " + t(d, "bt_done"))).isEqualTo(600);
        assertThat(m.batches().chunks(ACME, id)).hasSize(60).allMatch(c -> c.status() == JobStatus.COMPLETED);
        assertThat(TestBatches.EVENTS).containsExactly("par:finish");
        recordsDropped(d);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void batchesBeyondTheNodesCutsBesideChunksCutBeforeTheirChunksAndFinishAlike(Db db) {
        TestDatabase d = database(db);
        // Two workers: one batch at a time may cut beside its chunks; the other cuts first, on its worker.
        Millrace m = started(builder(db).workers(2), d, 300);

        JobId one = m.executeBatch(ACME, new SlowCut(d.schema(), "one", 0, 2), 10);
        JobId two = m.executeBatch(ACME, new SlowCut(d.schema(), "two", 0, 2), 10);
        for (JobId id : List.of(one, two)) {
            JobRecord batch = awaitEnd(m, id);
            assertThat(batch.status()).isEqualTo(JobStatus.COMPLETED);
            assertThat(batch.jobItemsProcessed()).isEqualTo(30);
        }
        for (String tag : List.of("one", "two")) {
            assertThat(d.queryLong("SELECT COUNT(DISTINCT id) FROM " + t(d, "bt_done") + " WHERE tag = '" + tag + "'"))
                    .isEqualTo(300);
            assertThat(d.queryLong("SELECT records FROM " + t(d, "bt_result") + " WHERE tag = '" + tag + "'"))
                    .isEqualTo(300);
            assertThat(TestBatches.EVENTS.stream().filter(e -> e.startsWith(tag + ":chunk:")).toList())
                    .containsExactlyElementsOf(IntStream.range(0, 30).mapToObj(i -> tag + ":chunk:" + (i * 10 + 1))
                            .toList());
        }
        assertThat(d.queryLong("SELECT COUNT(*) FROM " + t(d, "bt_done"))).isEqualTo(600);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void abortWhileTheQueryIsBeingCutStopsTheCutAndLeavesNoChunkToRun(Db db) {
        TestDatabase d = database(db);
        Millrace m = started(db, d, 3_000);

        // 3,000 rows at 5 ms each: the cut would take 15 s.
        JobId id = m.executeBatch(ACME, new SlowCut(d.schema(), "stop", 0, 5), 10);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10)).until(() -> cutting(d, id) == 1);
        m.jobs().abort(ACME, id);
        JobRecord batch = awaitEnd(m, id);

        assertThat(batch.status()).isEqualTo(JobStatus.ABORTED);
        assertThat(TestBatches.EVENTS).doesNotContain("stop:finish");
        // The cut stopped with the batch: no chunk is stored after the end, none is left to run.
        int chunks = m.batches().chunks(ACME, id).size();
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            List<JobRecord> now = m.batches().chunks(ACME, id);
            assertThat(now).hasSize(chunks).allSatisfy(c -> assertThat(c.status()).isIn(JobStatus.COMPLETED,
                    JobStatus.ABORTED));
            assertThat(d.queryLong("SELECT COUNT(*) FROM " + t(d, "mr_batch_chunk"))).isZero();
        });
        assertThat(chunks).as("cut before the abort").isLessThan(300);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aQueryThatFailsWhileItIsCutFailsTheBatchInStartWithoutFinish(Db db) {
        TestDatabase d = database(db);
        Millrace m = started(db, d, 300);

        // Row 250 divides by zero: on PostgreSQL after the first chunks were stored (and may have run).
        JobId id = m.executeBatch(ACME, new SlowCut(d.schema(), "boom", 0, 1).where("1 / (id - 250) <> 0"), 10);
        JobRecord batch = awaitEnd(m, id);

        assertThat(batch.status()).isEqualTo(JobStatus.FAILED);
        assertThat(batch.extendedStatus()).containsIgnoringCase("division by zero");
        assertThat(m.batches().errors(ACME, id)).singleElement().extracting(BatchError::phase)
                .isEqualTo(BatchPhase.START);
        assertThat(TestBatches.EVENTS).contains("boom:start").doesNotContain("boom:finish");
        assertThat(m.batches().chunks(ACME, id)).allSatisfy(c -> assertThat(c.status()).isIn(JobStatus.COMPLETED,
                JobStatus.ABORTED));
        recordsDropped(d);
    }
}
