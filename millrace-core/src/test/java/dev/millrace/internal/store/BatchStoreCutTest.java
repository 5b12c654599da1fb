package dev.millrace.internal.store;

import dev.millrace.JobId;
import dev.millrace.JobRecord;
import dev.millrace.JobStatus;
import dev.millrace.JobType;
import dev.millrace.TenantId;
import dev.millrace.TenantPolicy;
import dev.millrace.internal.store.BatchStore.BatchEnd;
import dev.millrace.internal.store.BatchStore.CutSoFar;
import dev.millrace.internal.store.BatchStore.NewChunk;
import dev.millrace.internal.store.sql.SqlStore;
import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import dev.millrace.testing.TestDatabase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.sql.Connection;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The store's side of a cut that runs beside the chunks: chunks are added a flush at a time, each flush fenced by
 * the batch's attempt, and what was cut so far is what a resumed cut goes on after.
 */
class BatchStoreCutTest extends DatabaseTest {
    static final TenantId A = TenantId.of("a");
    private final Instant t0 = Instant.parse("2026-11-25T10:00:00Z");
    private long seq;

    private record Stores(SqlStore sql, TestDatabase db) {
        JobStore jobs() {
            return sql.jobs();
        }

        BatchStore batches() {
            return sql.batches();
        }
    }

    private Stores stores(Db db) {
        TestDatabase d = database(db);
        SqlStore sql = closeAfter(SqlStore.open(d.dataSource(), null, null, null, null, d.schema(), 4, true));
        sql.tenants().put(A, TenantPolicy.DEFAULTS, t0);
        return new Stores(sql, d);
    }

    private UUID id() {
        seq++;
        return new UUID((t0.toEpochMilli() << 16) | 0x7000 | (seq & 0xFFF), 0x8000000000000000L | seq);
    }

    /** A batch submitted and claimed: attempt 1, running. */
    private ClaimedJob claimedBatch(Stores s) {
        NewJob job = new NewJob(id(), A, JobType.BATCH, "x.Batch", null, "{}", null, 1, null, t0, t0, null, null, 0);
        assertThat(s.batches().submit(job, 2, null, 5, 100)).isEqualTo(BatchStore.Admission.QUEUED);
        List<ClaimedJob> claimed = s.jobs().claim(new ClaimRequest("n1", t0.plusSeconds(1), t0.plusSeconds(60),
                List.of(A), 10, 10, null));
        assertThat(claimed).singleElement().extracting(ClaimedJob::id).isEqualTo(job.id());
        return claimed.get(0);
    }

    private List<NewChunk> chunks(int from, int n) {
        return java.util.stream.IntStream.range(from, from + n)
                .mapToObj(i -> new NewChunk(i, id(), 2, "[\"r" + (2 * i) + "\",\"r" + (2 * i + 1) + "\"]")).toList();
    }

    private JobRecord record(Stores s, ClaimedJob b) {
        return s.jobs().find(A, JobId.of(b.id())).orElseThrow();
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void flushesOfTheAttemptThatOwnsTheBatchAreStoredAndMakeItProcessing(Db db) {
        Stores s = stores(db);
        ClaimedJob b = claimedBatch(s);
        assertThat(s.batches().beginStart(A, b.id(), 1, t0)).isTrue();
        assertThat(s.batches().beginCut(A, b.id(), 1, "{\"n\":0}", "java.lang.String", t0)).isTrue();
        assertThat(s.batches().load(b.id()).orElseThrow().phase()).isEqualTo("CUT");
        assertThat(record(s, b).status()).as("no chunk stored yet").isEqualTo(JobStatus.PREPARING);

        assertThat(s.batches().addChunks(b.id(), 1, A, "x.Batch", chunks(0, 3), 3, t0)).isTrue();
        assertThat(record(s, b).status()).isEqualTo(JobStatus.PROCESSING);
        assertThat(record(s, b).totalJobItems()).as("chunks cut so far").isEqualTo(3);
        assertThat(s.batches().pendingChunks(A, b.id(), 0, 10)).extracting(BatchStore.ChunkRow::seq)
                .containsExactly(0, 1, 2);
        assertThat(s.batches().addChunks(b.id(), 1, A, "x.Batch", chunks(3, 2), 5, t0)).isTrue();
        assertThat(s.batches().cutSoFar(b.id())).isEqualTo(new CutSoFar(5, 10));

        assertThat(s.batches().endCut(A, b.id(), 1, 5, 10, t0)).isTrue();
        assertThat(s.batches().load(b.id()).orElseThrow().phase()).isEqualTo("EXECUTE");
        assertThat(s.batches().load(b.id()).orElseThrow().state()).as("state kept").isEqualTo("{\"n\":0}");
        assertThat(record(s, b).totalJobItems()).isEqualTo(5);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aFlushOfAnAttemptThatLostTheBatchOrOfAnEndedBatchStoresNothing(Db db) {
        Stores s = stores(db);
        ClaimedJob b = claimedBatch(s);
        s.batches().beginStart(A, b.id(), 1, t0);
        s.batches().beginCut(A, b.id(), 1, "{}", "java.lang.String", t0);
        assertThat(s.batches().addChunks(b.id(), 1, A, "x.Batch", chunks(0, 2), 2, t0)).isTrue();

        assertThat(s.batches().addChunks(b.id(), 2, A, "x.Batch", chunks(2, 2), 4, t0)).as("another attempt's")
                .isFalse();
        assertThat(s.batches().endCut(A, b.id(), 2, 4, 8, t0)).isFalse();
        assertThat(s.batches().beginCut(A, b.id(), 2, "{}", "java.lang.String", t0)).isFalse();
        assertThat(s.batches().cutSoFar(b.id())).isEqualTo(new CutSoFar(2, 4));
        assertThat(s.batches().chunks(A, b.id())).hasSize(2);
        assertThat(record(s, b).totalJobItems()).isEqualTo(2);

        try (Connection c = s.db().dataSource().getConnection()) {
            c.setAutoCommit(false);
            assertThat(s.batches().endBatch(c, new BatchEnd(b.id(), A, 1, JobStatus.ABORTED, null, t0, null), 5))
                    .as("the two chunks it marked ABORTED").hasValue(2);
            c.commit();
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
        assertThat(s.batches().addChunks(b.id(), 1, A, "x.Batch", chunks(2, 2), 4, t0)).as("after the end")
                .isFalse();
        assertThat(s.batches().chunks(A, b.id())).hasSize(2).allMatch(c -> c.status() == JobStatus.ABORTED);
        assertThat(s.batches().cutSoFar(b.id())).as("records kept until dropped").isEqualTo(new CutSoFar(2, 4));
        s.batches().dropChunks(b.id());
        assertThat(s.batches().cutSoFar(b.id())).isEqualTo(new CutSoFar(0, 0));
    }
}
