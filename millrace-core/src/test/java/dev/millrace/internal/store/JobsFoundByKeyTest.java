package dev.millrace.internal.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.millrace.AsyncOptions;
import dev.millrace.DuplicateSignature;
import dev.millrace.Finalizer;
import dev.millrace.FinalizerContext;
import dev.millrace.JobId;
import dev.millrace.JobQuery;
import dev.millrace.JobStatus;
import dev.millrace.Millrace;
import dev.millrace.Queueable;
import dev.millrace.QueueableContext;
import dev.millrace.TenantId;
import dev.millrace.batch.BatchContext;
import dev.millrace.batch.BatchSource;
import dev.millrace.batch.Batchable;
import dev.millrace.internal.store.sql.SqlStore;
import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import dev.millrace.testing.MutableClock;
import dev.millrace.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every statement that finds job rows by id also names their tenant, so PostgreSQL reaches them by the key
 * (tenant_id, id). A realistic flow runs on a table that also holds thousands of another tenant's jobs, analysed;
 * every statement it sent that reads mr_job is then explained with the same parameters. A statement that finds rows
 * by id alone has no index leading with id: its plan scans the table, or walks the whole key with an index condition
 * on id only. A join must reach one side by its key from the other: matching ids in a join filter rereads a side for
 * each row of the other, quadratic in the rows. Any of these fails the test, which names the statement.
 */
class JobsFoundByKeyTest extends DatabaseTest {
    static final TenantId ACME = TenantId.of("acme");
    /** Rows of a tenant the flow never touches: what a statement that misses the tenant would have to read. */
    static final int BALLAST = 20_000;
    static final String FLAG = "gate";

    /** Logs a line. */
    public static class Logs implements Queueable {
        @Override
        public void execute(QueueableContext context) {
            context.log().info("ran");
        }
    }

    /** Chains a child. */
    public static class Chains implements Queueable {
        @Override
        public void execute(QueueableContext context) {
            context.enqueue(new Logs());
        }
    }

    /** Attaches a finalizer, then fails. */
    public static class FailsWithFinalizer implements Queueable {
        @Override
        public void execute(QueueableContext context) {
            context.attachFinalizer(new Finish());
            throw new IllegalStateException("boom");
        }
    }

    /** Logs the parent's result. */
    public static class Finish implements Finalizer {
        @Override
        public void execute(FinalizerContext context) {
            context.log().info("parent ended " + context.result());
        }
    }

    /** Held while its flag is off. */
    public static class Gated implements Queueable {
        @Override
        public void execute(QueueableContext context) {
        }
    }

    /** Five letters in chunks of two. */
    public static class Letters implements Batchable<String> {
        @Override
        public BatchSource<String> start(BatchContext ctx) {
            return BatchSource.of(List.of("a", "b", "c", "d", "e"));
        }

        @Override
        public void execute(BatchContext ctx, List<String> scope) {
        }

        @Override
        public void finish(BatchContext ctx) {
        }
    }

    @Test
    void aFlowOfEveryKindOfJobReachesItsRowsByTenantAndId() throws Exception {
        TestDatabase d = database(Db.POSTGRES);
        MutableClock clock = MutableClock.now();
        Recorder recorder = new Recorder(d.dataSource());
        try (Millrace m = builder(recorder.dataSource(), d, clock).build();
             SqlStore sql = SqlStore.open(recorder.dataSource(), null, null, null, null, d.schema(), 2, false)) {
            m.tenants().create(ACME);
            try (Connection c = d.dataSource().getConnection(); Statement s = c.createStatement()) {
                s.execute("INSERT INTO " + job(d) + " (id, tenant_id, job_type, class_name, status, created_at, run_at,"
                        + " completed_at, payload) SELECT gen_random_uuid(), 'ballast', 'QUEUEABLE', 'x.Done', 'COMPLETED',"
                        + " now(), now(), now(), '{}' FROM generate_series(1, " + BALLAST + ")");
                s.execute("ANALYZE " + job(d));
            }
            recorder.clear();
            runFlow(m, sql, clock);
        }
        List<Recorder.Sent> sent = recorder.sentTo(d.schema() + "\".mr_job");
        assertThat(sent).as("statements of the flow that read or write mr_job").hasSizeGreaterThan(30);
        List<String> unkeyed;
        try (Connection c = d.dataSource().getConnection()) {
            // Each statement is planned as for its values and as a generic plan: both must reach by the key.
            unkeyed = Plans.findings(c, sent, JobsFoundByKeyTest::unkeyedScan);
        }
        assertThat(unkeyed).as("statements that read mr_job without its key's tenant").isEmpty();
    }

    /** Why a plan node reads mr_job other than by the key's tenant, or null. */
    private static String unkeyedScan(JsonNode plan) {
        String relation = plan.path("Relation Name").asText("");
        String index = plan.path("Index Name").asText("");
        if (relation.equals("mr_job") && plan.path("Node Type").asText().equals("Seq Scan")) {
            return "a sequential scan of mr_job";
        }
        if (index.equals("mr_job_pkey") && !plan.path("Index Cond").asText("").contains("tenant_id")) {
            return "a walk of the whole key (" + plan.path("Index Cond").asText("no condition") + ")";
        }
        return Plans.joinMatchingIds(plan);
    }

    /** Enqueue, claim, complete, chain, finalize, log, hold and release, batch, abort, release, rescue, find, prune. */
    private void runFlow(Millrace m, SqlStore sql, MutableClock clock) {
        JobId single = m.enqueue(ACME, new Logs());
        m.enqueueAll(ACME, List.of(new Logs(), new Logs(), new Logs()), AsyncOptions.none());
        JobId signed = m.enqueue(ACME, new Logs(),
                AsyncOptions.builder().duplicateSignature(DuplicateSignature.builder().add("once").build()).build());
        m.enqueue(ACME, new Chains());
        JobId failed = m.enqueue(ACME, new FailsWithFinalizer());
        JobId delayed = m.enqueue(ACME, new Logs(), AsyncOptions.delayMinutes(5));
        JobId held = m.enqueue(ACME, new Gated());
        JobId batch = m.executeBatch(ACME, new Letters(), 2);
        m.runReadyJobs(ACME, 100);

        assertThat(m.jobs().find(ACME, single).orElseThrow().status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(m.jobs().find(ACME, signed).orElseThrow().status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(m.jobs().find(ACME, failed).orElseThrow().status()).isEqualTo(JobStatus.FAILED);
        assertThat(m.jobs().find(ACME, batch).orElseThrow().status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(m.jobs().find(ACME, held).orElseThrow().status()).isEqualTo(JobStatus.HOLDING);
        assertThat(m.jobs().log(ACME, single)).isNotEmpty();
        assertThat(m.jobs().find(JobQuery.forTenant(ACME).build()).jobs()).hasSizeGreaterThan(10);
        assertThat(m.flags().set(ACME, FLAG, true)).isEqualTo(1);
        m.runReadyJobs(ACME, 10);
        assertThat(m.jobs().find(ACME, held).orElseThrow().status()).isEqualTo(JobStatus.COMPLETED);
        m.jobs().abort(ACME, delayed);
        assertThat(m.jobs().find(ACME, delayed).orElseThrow().status()).isEqualTo(JobStatus.ABORTED);

        // The store's own paths for running jobs: release, abort of a running job, lease renewal, rescue.
        JobStore jobs = sql.jobs();
        Instant now = clock.instant();
        ClaimRequest claim = new ClaimRequest("n1", now, now.plusSeconds(30), List.of(ACME), 10, 10, null);
        JobId released = m.enqueue(ACME, new Logs());
        assertThat(jobs.release("n1", jobs.claim(claim))).isEqualTo(1);
        ClaimedJob running = jobs.claimJob(ACME, released.uuid(), "n1", now, now.plusSeconds(30)).orElseThrow();
        assertThat(jobs.abort(ACME, released.uuid(), now)).isEqualTo(AbortOutcome.REQUESTED);
        assertThat(jobs.abortRequested("n1")).containsExactly(running.id());
        assertThat(jobs.renewLeases("n1", now.plusSeconds(60))).isEqualTo(1);
        assertThat(jobs.rescue(now.plusSeconds(61), 3).aborted()).isEqualTo(1);

        clock.advance(Duration.ofDays(400));
        List<JobId> ended = new ArrayList<>(List.of(single, signed, failed, batch, held, delayed, released));
        assertThat(jobs.prune(ACME, clock.instant(), 1000)).isGreaterThanOrEqualTo(ended.size());
        for (JobId id : ended) assertThat(m.jobs().find(ACME, id)).isEmpty();
        sql.batches().pruneOrphans();
    }

    private static Millrace.Builder builder(javax.sql.DataSource ds, TestDatabase d, MutableClock clock) {
        return Millrace.builder().dataSource(ds).schema(d.schema()).clock(clock).workers(2)
                .register(Logs.class).register(Chains.class).register(FailsWithFinalizer.class).register(Finish.class)
                .register(Gated.class).register(Letters.class).bindToFlag(Gated.class, FLAG);
    }

    private static String job(TestDatabase d) {
        return "\"" + d.schema() + "\".mr_job";
    }
}
