package dev.millrace.test;

import dev.millrace.JobRecord;
import dev.millrace.JobStatus;
import dev.millrace.QueueableContext;
import dev.millrace.cursor.Cursor;
import dev.millrace.cursor.CursorRow;
import dev.millrace.step.CursorStep;
import dev.millrace.step.Step;
import dev.millrace.step.StepWorkflow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** stopTest runs a step workflow to its end inline, whatever the chain depth: its executions are one piece of work. */
class StepWorkflowTest {
    static final List<String> EVENTS = new CopyOnWriteArrayList<>();

    @RegisterExtension
    static final MillraceExtension MILLRACE = MillraceExtension.of(AsyncTest.builder());

    /** Records each chunk of rows it is given. */
    static class Chunks extends CursorStep {
        @Override
        protected Cursor openCursor(QueueableContext context) {
            return context.cursor("SELECT x FROM SYSTEM_RANGE(1, 25) ORDER BY x");
        }

        @Override
        protected void execute(List<CursorRow> rows, QueueableContext context) {
            EVENTS.add(rows.get(0).getLong("x") + ".." + rows.get(rows.size() - 1).getLong("x"));
        }

        @Override
        protected int chunkSize() {
            return 10;
        }
    }

    /** The last step. */
    static class Report implements Step {
        @Override
        public void execute(QueueableContext context) {
            EVENTS.add("report");
        }
    }

    @Test
    void stopTestRunsEveryStepAndEveryChunk(AsyncTest test) {
        EVENTS.clear();
        test.startTest();
        StepWorkflow.of("import", new Chunks(), new Report()).kickoff(test.millrace(), test.tenant());
        List<JobRecord> ran = test.stopTest();

        assertThat(EVENTS).containsExactly("1..10", "11..20", "21..25", "report");
        assertThat(ran).hasSize(8).allSatisfy(j -> assertThat(j.status()).isEqualTo(JobStatus.COMPLETED));
        assertThat(test.jobs(StepWorkflow.class).get(6).extendedStatus()).isEqualTo("workflow 'import' step 2 of 2 'Report'");
    }
}
