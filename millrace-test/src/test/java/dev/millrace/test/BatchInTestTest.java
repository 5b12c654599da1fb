package dev.millrace.test;

import dev.millrace.BatchContext;
import dev.millrace.BatchSource;
import dev.millrace.Batchable;
import dev.millrace.JobId;
import dev.millrace.JobRecord;
import dev.millrace.JobStatus;
import dev.millrace.Stateful;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

import static dev.millrace.test.TestJobs.ran;
import static org.assertj.core.api.Assertions.assertThat;

/** A batch submitted between startTest and stopTest runs inline at stopTest: start, every chunk, finish. */
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
}
