package dev.millrace.test;

import dev.millrace.JobId;
import dev.millrace.JobRecord;
import dev.millrace.JobStatus;
import dev.millrace.JobType;
import dev.millrace.batch.BatchContext;
import dev.millrace.batch.BatchSource;
import dev.millrace.batch.Batchable;
import dev.millrace.batch.Stateful;
import dev.millrace.schedule.ScheduleId;
import dev.millrace.schedule.ScheduleRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

import static dev.millrace.test.TestJobs.ran;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * A batch submitted between startTest and stopTest, or by a scheduleBatch schedule created between them (SPEC
 * TEST-7), runs inline at stopTest: start, every chunk, finish.
 */
@MillraceTest(register = BatchInTestTest.Names.class)
class BatchInTestTest {

    /** Records each chunk's names and, in finish, how many it saw (stateful). */
    public static class Names implements Batchable<String>, Stateful {
        int seen;

        @Override
        public BatchSource<String> start(BatchContext ctx) {
            return BatchSource.of(List.of("a", "b", "c", "d", "e"));
        }

        @Override
        public void execute(BatchContext ctx, List<String> scope) throws SQLException {
            try (PreparedStatement ps = ctx.connection().prepareStatement("INSERT INTO ran (name) VALUES (?)")) {
                ps.setString(1, String.join("", scope));
                ps.executeUpdate();
            }
            seen += scope.size();
        }

        @Override
        public void finish(BatchContext ctx) throws SQLException {
            try (PreparedStatement ps = ctx.connection().prepareStatement("INSERT INTO ran (name) VALUES (?)")) {
                ps.setString(1, "finish " + seen);
                ps.executeUpdate();
            }
        }
    }

    @BeforeEach
    void createTable(AsyncTest test) {
        TestJobs.createRanTable(test);
    }

    @Test
    void batchRunsStartEveryChunkAndFinishAtStopTest(AsyncTest test) {
        test.startTest();
        JobId id = test.executeBatch(new Names(), 2);
        assertThat(ran(test)).isEmpty();

        test.stopTest();

        assertThat(ran(test)).containsExactly("ab", "cd", "e", "finish 5");
        JobRecord batch = test.assertCompleted(id);
        assertThat(batch.totalJobItems()).isEqualTo(3);
        assertThat(batch.jobItemsProcessed()).isEqualTo(3);
        assertThat(test.millrace().batches().chunks(test.tenant(), id)).extracting(JobRecord::status)
                .containsOnly(JobStatus.COMPLETED).hasSize(3);
    }

    @Test
    void aBatchScheduledInTheTestRunsOnceAtStopTestWithEveryChunk(AsyncTest test) {
        test.startTest();
        ScheduleId id = test.millrace().scheduleBatch(test.tenant(), "names-later", new Names(), 60, 2);
        assertThat(ran(test)).isEmpty();

        List<JobRecord> stopped = test.stopTest();

        assertThat(ran(test)).containsExactly("ab", "cd", "e", "finish 5");
        List<JobRecord> batches = test.jobs().stream().filter(j -> j.type() == JobType.BATCH).toList();
        assertThat(batches).hasSize(1);
        JobRecord batch = test.assertCompleted(batches.get(0).id());
        assertThat(batch.totalJobItems()).isEqualTo(3);
        assertThat(stopped).extracting(JobRecord::type).startsWith(JobType.SCHEDULED, JobType.BATCH)
                .containsOnlyOnce(JobType.SCHEDULED, JobType.BATCH);
        assertThat(stopped).allSatisfy(j -> assertThat(j.status()).isEqualTo(JobStatus.COMPLETED));
        assertThat(test.millrace().batches().chunks(test.tenant(), batch.id())).hasSize(3);
        // The schedule row: its one fire time an hour on, in UTC with the year; a run at stopTest is no occurrence.
        ScheduleRecord s = test.millrace().schedules().find(test.tenant(), id).orElseThrow();
        assertThat(s.name()).isEqualTo("names-later");
        assertThat(s.cron()).isEqualTo("0 0 10 1 1 ? 2025");
        assertThat(s.nextFireTime()).isEqualTo(test.clock().instant().plus(Duration.ofMinutes(60)));
        assertThat(s.fireCount()).isZero();
    }

    @Test
    void theScheduledBatchRunsAtTheScheduleLevelSoChainDepthZeroRunsItToo(AsyncTest test) {
        test.runChainedJobs(0);
        test.startTest();
        test.scheduleBatch("names-later", new Names(), 5, 5);

        test.stopTest();

        assertThat(ran(test)).containsExactly("abcde", "finish 5");
        assertThat(test.jobs()).extracting(JobRecord::type, JobRecord::status).containsExactly(
                tuple(JobType.SCHEDULED, JobStatus.COMPLETED), tuple(JobType.BATCH, JobStatus.COMPLETED),
                tuple(JobType.BATCH_CHUNK, JobStatus.COMPLETED));
    }

    @Test
    void aBatchScheduledBeforeStartTestDoesNotRunAtStopTest(AsyncTest test) {
        ScheduleId id = test.scheduleBatch("names-later", new Names(), 5, 5);
        test.startTest();

        assertThat(test.stopTest()).isEmpty();

        assertThat(ran(test)).isEmpty();
        assertThat(test.schedules()).extracting(ScheduleRecord::id).containsExactly(id);
    }
}
