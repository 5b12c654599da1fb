package dev.millrace;

import dev.millrace.cursor.Cursor;
import dev.millrace.cursor.CursorRow;
import dev.millrace.step.CursorStep;
import dev.millrace.step.Step;
import dev.millrace.step.StepWorkflow;
import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Step workflows: one job per step execution, restarted while asked, stopped at the first failing step. */
class StepWorkflowTest extends DatabaseTest {
    static final TenantId ACME = TenantId.of("acme");
    static final List<String> EVENTS = new CopyOnWriteArrayList<>();
    static final AtomicLong SUM = new AtomicLong();

    /** Runs {@code times} executions, counting them in its state. */
    static class Repeat implements Step {
        String label;
        int times;
        int runs;

        Repeat() {
        }

        Repeat(String label, int times) {
            this.label = label;
            this.times = times;
        }

        @Override
        public void execute(QueueableContext context) {
            runs++;
            EVENTS.add(label + " run " + runs);
        }

        @Override
        public void finalize(FinalizerContext context) {
            EVENTS.add(label + " finalize " + runs);
        }

        @Override
        public String name() {
            return label;
        }

        @Override
        public boolean shouldRestart() {
            return runs < times;
        }

        @Override
        public String progress() {
            return "run " + runs + " of " + times;
        }
    }

    /** Always fails. */
    static class Broken implements Step {
        @Override
        public void execute(QueueableContext context) {
            EVENTS.add("broken run");
            throw new IllegalStateException("broken step");
        }
    }

    /** Fails the first {@code failures} executions, then succeeds. */
    static class Flaky implements Step {
        int failures;
        int runs;

        Flaky() {
        }

        Flaky(int failures) {
            this.failures = failures;
        }

        @Override
        public void execute(QueueableContext context) {
            runs++;
            EVENTS.add("flaky run " + runs);
            if (runs <= failures) throw new IllegalStateException("flaky failure " + runs);
        }
    }

    /** Sums the ids of a table through a cursor, a chunk per execution. */
    static class SumIds extends CursorStep {
        String sql;
        int chunk;

        SumIds() {
        }

        SumIds(String sql, int chunk) {
            this.sql = sql;
            this.chunk = chunk;
        }

        @Override
        protected Cursor openCursor(QueueableContext context) {
            return context.cursor(sql);
        }

        @Override
        protected void execute(List<CursorRow> rows, QueueableContext context) {
            EVENTS.add("chunk at " + position() + " of " + rows.size());
            for (CursorRow r : rows) SUM.addAndGet(r.getLong("id"));
        }

        @Override
        protected int chunkSize() {
            return chunk;
        }
    }

    private Millrace node(Db db) {
        EVENTS.clear();
        SUM.set(0);
        Millrace m = node(builder(db));
        tenants(m, ACME);
        return m;
    }

    private static List<JobRecord> jobs(Millrace m, JobType type) {
        return m.jobs().find(JobQuery.forTenant(ACME).type(type).build()).jobs().stream()
                .sorted(Comparator.comparing(JobRecord::createdAt).thenComparing(JobRecord::stackDepth)).toList();
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aStepRunsAgainWhileItAsksThenTheNextStepBegins(Db db) {
        Millrace m = node(db);
        Optional<JobId> first = StepWorkflow.of("wf", new Repeat("a", 3), new Repeat("b", 1)).kickoff(m, ACME);
        assertThat(first).isPresent();
        m.runReadyJobs(ACME, 100);
        assertThat(EVENTS).containsExactly("a run 1", "a finalize 1", "a run 2", "a finalize 2", "a run 3",
                "a finalize 3", "b run 1", "b finalize 1");
        List<JobRecord> steps = jobs(m, JobType.QUEUEABLE);
        assertThat(steps).hasSize(4).allSatisfy(j -> {
            assertThat(j.status()).isEqualTo(JobStatus.COMPLETED);
            assertThat(j.className()).isEqualTo(StepWorkflow.class.getName());
        });
        assertThat(steps).extracting(JobRecord::extendedStatus).containsExactly(
                "workflow 'wf' step 1 of 2 'a', run 1 of 3", "workflow 'wf' step 1 of 2 'a', run 2 of 3",
                "workflow 'wf' step 1 of 2 'a', run 3 of 3", "workflow 'wf' step 2 of 2 'b', run 1 of 1");
        assertThat(steps.get(0).id()).isEqualTo(first.get());
        // One finalizer per step execution; each next step job is the child of the previous execution's finalizer.
        List<JobRecord> finalizers = jobs(m, JobType.FINALIZER);
        assertThat(finalizers).hasSize(4).allSatisfy(f -> assertThat(f.status()).isEqualTo(JobStatus.COMPLETED));
        assertThat(steps.get(1).parentJobId()).isEqualTo(finalizers.get(0).id());
        assertThat(finalizers.get(0).parentJobId()).isEqualTo(steps.get(0).id());
        assertThat(m.jobs().log(ACME, finalizers.get(3).id())).anySatisfy(e ->
                assertThat(e.message()).isEqualTo("workflow \"wf\" complete: step \"b\" was the last of 2"));
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aWorkflowStoredUnderItsFormerClassNameStillRuns(Db db) {
        Millrace m = node(db);
        StepWorkflow.of("wf", new Repeat("a", 2)).kickoff(m, ACME);
        // As a job stored before StepWorkflow moved from dev.millrace to dev.millrace.step names it.
        database(db).execute("UPDATE \"" + database(db).schema() + "\".mr_job SET class_name = 'dev.millrace.StepWorkflow'");
        m.runReadyJobs(ACME, 100);
        assertThat(EVENTS).containsExactly("a run 1", "a finalize 1", "a run 2", "a finalize 2");
        assertThat(jobs(m, JobType.QUEUEABLE)).hasSize(2)
                .allSatisfy(j -> assertThat(j.status()).isEqualTo(JobStatus.COMPLETED));
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void anUnhandledExceptionStopsTheWorkflowAtThatStep(Db db) {
        Millrace m = node(db);
        StepWorkflow.of("wf", new Repeat("a", 1), new Broken(), new Repeat("c", 1)).kickoff(m, ACME);
        m.runReadyJobs(ACME, 100);
        assertThat(EVENTS).containsExactly("a run 1", "a finalize 1", "broken run");
        List<JobRecord> steps = jobs(m, JobType.QUEUEABLE);
        assertThat(steps).extracting(JobRecord::status).containsExactly(JobStatus.COMPLETED, JobStatus.FAILED);
        assertThat(steps.get(1).extendedStatus()).isEqualTo(
                "workflow 'wf' step 2 of 3 'Broken': java.lang.IllegalStateException: broken step");
        JobRecord last = jobs(m, JobType.FINALIZER).get(1);
        assertThat(last.parentJobId()).isEqualTo(steps.get(1).id());
        assertThat(m.jobs().log(ACME, last.id())).anySatisfy(e -> assertThat(e.message()).isEqualTo(
                "workflow \"wf\" stopped at step 2 of 3 \"Broken\": java.lang.IllegalStateException: broken step"));
        assertThat(m.runReadyJobs(ACME, 100)).isZero();
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aFailedStepIsRetriedWhenTheWorkflowAllowsIt(Db db) {
        Millrace m = node(db);
        StepWorkflow.of("wf", new Flaky(2), new Repeat("after", 1)).retryFailedSteps(2).kickoff(m, ACME);
        m.runReadyJobs(ACME, 100);
        assertThat(EVENTS).containsExactly("flaky run 1", "flaky run 2", "flaky run 3", "after run 1", "after finalize 1");
        assertThat(jobs(m, JobType.QUEUEABLE)).extracting(JobRecord::status).containsExactly(JobStatus.FAILED,
                JobStatus.FAILED, JobStatus.COMPLETED, JobStatus.COMPLETED);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aCursorStepProcessesEveryRowAChunkPerExecution(Db db) {
        Millrace m = node(db);
        String table = "\"" + database(db).schema() + "\".numbers";
        database(db).execute("DROP TABLE IF EXISTS " + table);
        database(db).execute("CREATE TABLE " + table + " (id BIGINT PRIMARY KEY)");
        database(db).execute("INSERT INTO " + table + " SELECT x FROM "
                + (db == Db.H2 ? "SYSTEM_RANGE(1, 4500)" : "generate_series(1, 4500) AS s(x)"));
        StepWorkflow.of("sum", new SumIds("SELECT id FROM " + table + " ORDER BY id", 1000), new Repeat("done", 1))
                .kickoff(m, ACME);
        m.runReadyJobs(ACME, 100);
        assertThat(SUM.get()).isEqualTo(4500L * 4501 / 2);
        assertThat(EVENTS).containsExactly("chunk at 0 of 1000", "chunk at 1000 of 1000", "chunk at 2000 of 1000",
                "chunk at 3000 of 1000", "chunk at 4000 of 500", "done run 1", "done finalize 1");
        List<JobRecord> steps = jobs(m, JobType.QUEUEABLE);
        assertThat(steps).hasSize(6);
        assertThat(steps.get(4).extendedStatus()).isEqualTo("workflow 'sum' step 1 of 2 'SumIds', rows 4500 of 4500");
        assertThat(steps.get(0).extendedStatus()).isEqualTo("workflow 'sum' step 1 of 2 'SumIds', rows 1000 of 4500");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aWorkflowRunsToItsEndOnAStartedNode(Db db) {
        Millrace m = node(db);
        JobId first = StepWorkflow.of("wf", new Repeat("a", 2), new Repeat("b", 1)).kickoff(m, ACME).orElseThrow();
        m.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> EVENTS.size() == 6
                && jobs(m, JobType.FINALIZER).stream().allMatch(j -> j.status().isTerminal())
                && jobs(m, JobType.FINALIZER).size() == 3);
        assertThat(EVENTS).containsExactly("a run 1", "a finalize 1", "a run 2", "a finalize 2", "b run 1", "b finalize 1");
        assertThat(m.jobs().find(ACME, first).orElseThrow().status()).isEqualTo(JobStatus.COMPLETED);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void kickoffOfAWorkflowWithoutStepsEnqueuesNothing(Db db) {
        Millrace m = node(db);
        assertThat(StepWorkflow.of("empty", List.of()).kickoff(m, ACME)).isEmpty();
        assertThat(jobs(m, JobType.QUEUEABLE)).isEmpty();
    }
}
