package dev.millrace.reliability;

import dev.millrace.AsyncOptions;
import dev.millrace.JobId;
import dev.millrace.JobRecord;
import dev.millrace.JobStatus;
import dev.millrace.Millrace;
import dev.millrace.TenantId;
import dev.millrace.reliability.RecordingJobs.RecordRun;
import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import dev.millrace.testing.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.sql.Connection;

import static dev.millrace.testing.Jobs.awaitStatus;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An enqueue in the caller's transaction rides that transaction: a rollback means the job never existed, a
 * commit makes it run. The running node has one worker and serves jobs oldest first, so once a job enqueued
 * later has run, any earlier job that existed would have run before it.
 */
class TransactionalEnqueueTest extends DatabaseTest {
    static final TenantId ACME = TenantId.of("acme");

    @BeforeEach
    void resetSignals() {
        Signals.reset();
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void jobEnqueuedInATransactionTheCallerRollsBackNeverExistsNorRuns(Db db) throws Exception {
        TestDatabase d = database(db);
        Millrace m = started(d.builder().workers(1).register(RecordRun.class));
        RunsTable runs = RunsTable.create(d);
        tenants(m, ACME);

        JobId rolledBack;
        try (Connection c = d.dataSource().getConnection()) {
            c.setAutoCommit(false);
            rolledBack = m.enqueue(c, ACME, new RecordRun(d.schema()), AsyncOptions.none());
            c.rollback();
            c.setAutoCommit(true);
        }
        JobId later = m.enqueue(ACME, new RecordRun(d.schema()));
        awaitStatus(m, ACME, later, JobStatus.COMPLETED);

        assertThat(m.jobs().find(ACME, rolledBack)).as("the rolled-back job").isEmpty();
        assertThat(Signals.ranHere(rolledBack.value())).as("the rolled-back job ran").isFalse();
        assertThat(runs.of(rolledBack)).isEmpty();
        assertThat(runs.jobStatuses()).isEqualTo(java.util.Map.of("COMPLETED", 1L));
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void jobEnqueuedInATransactionRunsOnlyOnceTheCallerCommits(Db db) throws Exception {
        TestDatabase d = database(db);
        Millrace m = started(d.builder().workers(1).register(RecordRun.class));
        RunsTable runs = RunsTable.create(d);
        tenants(m, ACME);

        try (Connection c = d.dataSource().getConnection()) {
            c.setAutoCommit(false);
            JobId id = m.enqueue(c, ACME, new RecordRun(d.schema()), AsyncOptions.none());
            JobId later = m.enqueue(ACME, new RecordRun(d.schema()));
            awaitStatus(m, ACME, later, JobStatus.COMPLETED);
            assertThat(m.jobs().find(ACME, id)).as("the job while its transaction is open").isEmpty();
            assertThat(Signals.ranHere(id.value())).as("the job ran before its transaction committed").isFalse();

            c.commit();
            c.setAutoCommit(true);
            JobRecord job = awaitStatus(m, ACME, id, JobStatus.COMPLETED);
            assertThat(job.attempt()).isEqualTo(1);
            assertThat(runs.of(id)).extracting(RunsTable.Run::attempt).containsExactly(1);
        }
    }
}
