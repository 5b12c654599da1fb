package dev.millrace.reliability;

import dev.millrace.JobId;
import dev.millrace.JobRecord;
import dev.millrace.JobStatus;
import dev.millrace.Millrace;
import dev.millrace.TenantId;
import dev.millrace.batch.TestBatches;
import dev.millrace.batch.TestBatches.SumItems;
import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import dev.millrace.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A stateful batch whose node is killed with SIGKILL mid-batch resumes on another node without losing or repeating a
 * chunk, also when it was killed while its query was still being cut.
 */
class BatchCrashTest extends DatabaseTest {
    static final TenantId ACME = TenantId.of("acme");
    static final Duration LEASE = Duration.ofSeconds(2);

    @Test
    void statefulBatchResumesAtTheRunningChunkWithTheStateOfTheLastCommittedChunk() throws Exception {
        TestDatabase d = database(Db.POSTGRES);
        Millrace survivor = node(d.builder().nodeId("survivor").lease(LEASE).pollInterval(Duration.ofMillis(50))
                .register(SumItems.class));
        tenants(survivor, ACME);
        TestBatches.createTables(d, 600);
        String s = "\"" + d.schema() + "\".";
        // 60 chunks of 10, each about 100 ms: the child dies somewhere in the middle.
        JobId id = survivor.executeBatch(ACME, new SumItems(d.schema(), "crash", Set.of(), 100), 10);

        ChildJvm doomed = closeAfter(ChildJvm.start("doomed", d.schema(), LEASE, 2, BatchChildNode.class));
        await("the child to commit some chunks").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    doomed.assertAlive();
                    return d.queryLong("SELECT COUNT(*) FROM " + s + "bt_done") >= 150;
                });
        assertThat(doomed.kill()).isEqualTo(ChildJvm.SIGKILL_EXIT);
        doomed.awaitSessionsGone(d);
        long committedByDoomed = d.queryLong("SELECT COUNT(*) FROM " + s + "bt_done");
        JobRecord mid = survivor.jobs().find(ACME, id).orElseThrow();
        assertThat(mid.status()).as("the batch the dead node held").isEqualTo(JobStatus.PROCESSING);
        assertThat(mid.jobItemsProcessed()).as("chunks committed with their work").isEqualTo((int) committedByDoomed / 10);
        assertThat(committedByDoomed).isLessThan(600);

        survivor.start();
        assertResumedOnTheSurvivorAndEveryRowDoneOnce(survivor, d, id, 600, committedByDoomed);
    }

    @Test
    void statefulBatchKilledWhileItsQueryIsStillBeingCutResumesTheCutAndProcessesEveryRowOnce() throws Exception {
        TestDatabase d = database(Db.POSTGRES);
        Millrace survivor = node(d.builder().nodeId("survivor").lease(LEASE).pollInterval(Duration.ofMillis(50))
                .register(TestBatches.SlowCut.class));
        tenants(survivor, ACME);
        TestBatches.createTables(d, 1_200);
        TestBatches.createPause(d);
        String s = "\"" + d.schema() + "\".";
        // 1,200 rows at 4 ms each: the first fetch's chunks run within a second, the rest of the cut takes ~4 s.
        JobId id = survivor.executeBatch(ACME, new TestBatches.SlowCut(d.schema(), "cutcrash", 20, 4), 10);

        ChildJvm doomed = closeAfter(ChildJvm.start("doomed", d.schema(), LEASE, 2, BatchChildNode.class));
        await("the child to commit chunks while it still cuts").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(10)).until(() -> {
                    doomed.assertAlive();
                    return d.queryLong("SELECT COUNT(*) FROM " + s + "bt_done") >= 50
                            && d.queryLong("SELECT COUNT(*) FROM " + s + "mr_batch WHERE phase = 'CUT'") == 1;
                });
        assertThat(doomed.kill()).isEqualTo(ChildJvm.SIGKILL_EXIT);
        doomed.awaitSessionsGone(d);
        assertThat(d.queryLong("SELECT COUNT(*) FROM " + s + "mr_batch WHERE phase = 'CUT'"))
                .as("killed while cutting").isEqualTo(1);
        long committedByDoomed = d.queryLong("SELECT COUNT(*) FROM " + s + "bt_done");
        long cutByDoomed = d.queryLong("SELECT COUNT(*) FROM " + s + "mr_batch_chunk");
        assertThat(cutByDoomed).as("chunks stored before the kill").isLessThan(120);
        JobRecord mid = survivor.jobs().find(ACME, id).orElseThrow();
        assertThat(mid.status()).isEqualTo(JobStatus.PROCESSING);
        assertThat(mid.jobItemsProcessed()).isEqualTo((int) committedByDoomed / 10);

        survivor.start();
        // The cut went on after the rows cut before the kill: each row in one chunk, each chunk committed once.
        JobRecord done = assertResumedOnTheSurvivorAndEveryRowDoneOnce(survivor, d, id, 1_200, committedByDoomed);
        assertThat(done.totalJobItems()).isEqualTo(120);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(d.queryLong("SELECT COUNT(*) FROM " + s + "mr_batch_chunk")).isZero());
    }

    /**
     * The batch of {@code rows} rows in chunks of 10 ends COMPLETED on the survivor in a second attempt, every row done
     * once, and the stateful sum went through the crash: state committed with each chunk, nothing counted twice.
     */
    private static JobRecord assertResumedOnTheSurvivorAndEveryRowDoneOnce(Millrace survivor, TestDatabase d, JobId id,
                                                                          int rows, long committedByDoomed) {
        String s = "\"" + d.schema() + "\".";
        int chunks = rows / 10;
        JobRecord done = await("the batch to end on the survivor").atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> survivor.jobs().find(ACME, id).orElseThrow(), j -> j.status().isTerminal());
        assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(done.attempt()).as("resumed by a second attempt").isEqualTo(2);
        assertThat(done.jobItemsProcessed()).isEqualTo(chunks);
        assertThat(done.numberOfErrors()).isZero();
        assertThat(d.queryLong("SELECT COUNT(*) FROM " + s + "bt_done")).as("every item done once").isEqualTo(rows);
        assertThat(d.queryLong("SELECT COUNT(DISTINCT id) FROM " + s + "bt_done")).isEqualTo(rows);
        assertThat(d.queryLong("SELECT records FROM " + s + "bt_result")).isEqualTo(rows);
        assertThat(d.queryLong("SELECT chunks FROM " + s + "bt_result")).isEqualTo(chunks);
        assertThat(d.queryLong("SELECT total * 100 FROM " + s + "bt_result")).isEqualTo((long) rows * (rows + 1) / 2);
        assertThat(survivor.batches().chunks(ACME, id)).hasSize(chunks)
                .allMatch(c -> c.status() == JobStatus.COMPLETED);
        assertThat(survivor.batches().chunks(ACME, id).stream().filter(c -> "doomed".equals(c.node())).count())
                .as("chunks committed by the dead node").isEqualTo(committedByDoomed / 10);
        return done;
    }
}
