package dev.millrace.batch;

import dev.millrace.JobId;
import dev.millrace.JobRecord;
import dev.millrace.JobStatus;
import dev.millrace.Millrace;
import dev.millrace.TenantId;
import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import dev.millrace.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A batch whose node dies mid-execute and which the rescuer ends (out of attempts): its chunks end too and its
 * stored chunk records go, as when the batch ends itself. The zombie is a node never started: it runs the batch
 * inline and never renews its lease.
 */
class BatchRescueTest extends DatabaseTest {
    static final TenantId ACME = TenantId.of("acme");
    static final Duration LEASE = Duration.ofSeconds(1);
    private final ExecutorService zombieThreads = Executors.newCachedThreadPool();

    @BeforeEach
    void resetEvents() {
        TestBatches.reset();
    }

    @AfterEach
    void stopZombies() throws InterruptedException {
        zombieThreads.shutdownNow();
        zombieThreads.awaitTermination(20, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aBatchEndedByTheRescuerEndsItsChunksAndDropsTheirRecords(Db db) throws Exception {
        TestDatabase d = database(db);
        Millrace zombie = node(d.builder().nodeId("zombie").lease(LEASE).register(TestBatches.WaitsInSecondChunk.class));
        tenants(zombie, ACME);
        JobId id = zombie.executeBatch(ACME, new TestBatches.WaitsInSecondChunk(), 2);
        zombieThreads.submit(() -> zombie.runReadyJobs(ACME, 1));
        assertThat(TestBatches.chunkRunning.await(30, TimeUnit.SECONDS)).isTrue();

        Millrace rescuer = started(d.builder().nodeId("rescuer").lease(LEASE).maxAttempts(1)
                .register(TestBatches.WaitsInSecondChunk.class));
        JobRecord batch = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .until(() -> rescuer.jobs().find(ACME, id).orElseThrow(), j -> j.status().isTerminal());
        assertThat(batch.status()).isEqualTo(JobStatus.FAILED);

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            assertThat(rescuer.batches().chunks(ACME, id)).as("no chunk left QUEUED or PROCESSING")
                    .allSatisfy(c -> assertThat(c.status().isTerminal()).as(c.id() + " " + c.status()).isTrue());
            assertThat(d.queryLong("SELECT COUNT(*) FROM \"" + d.schema() + "\".mr_batch_chunk")).isZero();
            assertThat(d.queryLong("SELECT COUNT(*) FROM \"" + d.schema() + "\".mr_batch WHERE admission <> 'DONE'"))
                    .isZero();
        });
    }
}
