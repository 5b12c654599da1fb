package dev.millrace;

import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static dev.millrace.testing.Jobs.awaitTerminal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** abort: a queued job never starts; a running one stops at its next safe point; bad ids are refused. */
class AbortTest extends DatabaseTest {
    static final TenantId ACME = TenantId.of("acme");

    private Millrace node(Db db) {
        TestJobs.reset();
        Millrace m = node(builder(db).register(TestJobs.Record.class).register(TestJobs.WaitForAbort.class));
        m.tenants().create(ACME);
        return m;
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void abortedQueuedJobNeverStarts(Db db) {
        Millrace m = node(db);
        JobId id = m.enqueue(ACME, new TestJobs.Record("never"));
        m.jobs().abort(ACME, id);
        JobRecord job = m.jobs().find(ACME, id).orElseThrow();
        assertThat(job.status()).isEqualTo(JobStatus.ABORTED);
        assertThat(job.extendedStatus()).isEqualTo("aborted before it started");
        m.start();
        JobId after = m.enqueue(ACME, new TestJobs.Record("after"));
        awaitTerminal(m, ACME, after);
        assertThat(TestJobs.EVENTS).containsExactly("after");
        assertThat(m.jobs().find(ACME, id).orElseThrow().status()).isEqualTo(JobStatus.ABORTED);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void runningJobIsAbortedAtItsNextSafePoint(Db db) throws Exception {
        Millrace m = node(db).start();
        JobId id = m.enqueue(ACME, new TestJobs.WaitForAbort());
        assertThat(TestJobs.WaitForAbort.started.await(20, TimeUnit.SECONDS)).isTrue();
        m.jobs().abort(ACME, id);
        JobRecord job = awaitTerminal(m, ACME, id);
        assertThat(job.status()).isEqualTo(JobStatus.ABORTED);
        assertThat(job.extendedStatus()).isEqualTo("aborted while running");
        assertThat(TestJobs.EVENTS).doesNotContain("not aborted");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void abortOfAnUnknownJobNamesIt(Db db) {
        Millrace m = node(db);
        JobId unknown = JobId.of(UUID.randomUUID());
        assertThatThrownBy(() -> m.jobs().abort(ACME, unknown))
                .isInstanceOf(JobNotFoundException.class)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("job " + unknown + " does not exist in tenant 'acme'");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void abortOfAnEndedJobSaysItEnded(Db db) {
        Millrace m = node(db).start();
        JobId id = m.enqueue(ACME, new TestJobs.Record("done"));
        awaitTerminal(m, ACME, id);
        assertThatThrownBy(() -> m.jobs().abort(ACME, id))
                .isInstanceOf(JobNotFoundException.class)
                .hasMessageContaining("cannot be aborted: it has already ended (COMPLETED)");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void abortOfAnotherTenantsJobIsRefused(Db db) {
        Millrace m = node(db);
        TenantId other = TenantId.of("other");
        m.tenants().create(other);
        JobId id = m.enqueue(ACME, new TestJobs.Record("mine"));
        assertThatThrownBy(() -> m.jobs().abort(other, id)).isInstanceOf(JobNotFoundException.class);
        assertThat(m.jobs().find(ACME, id).orElseThrow().status()).isEqualTo(JobStatus.QUEUED);
    }
}
