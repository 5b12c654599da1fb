package dev.millrace.internal.engine;

import dev.millrace.JobId;
import dev.millrace.JobStatus;
import dev.millrace.JobType;
import dev.millrace.TenantId;
import dev.millrace.TenantPolicy;
import dev.millrace.internal.store.ClaimRequest;
import dev.millrace.internal.store.ClaimedJob;
import dev.millrace.internal.store.Completion;
import dev.millrace.internal.store.JobStore;
import dev.millrace.internal.store.NewJob;
import dev.millrace.internal.store.sql.SqlStore;
import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import dev.millrace.testing.TestDatabase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Completions are written in batches, by the completer or, where claims carry them (H2), in the next claim. */
class CompleterTest extends DatabaseTest {
    static final TenantId A = TenantId.of("a");
    private final Instant t0 = Instant.parse("2026-11-25T10:00:00Z");

    private JobStore store(Db db) {
        TestDatabase d = database(db);
        SqlStore sql = closeAfter(SqlStore.open(d.dataSource(), null, null, null, null, d.schema(), 4, true));
        sql.tenants().put(A, TenantPolicy.DEFAULTS, t0);
        return sql.jobs();
    }

    /** Inserts a job and claims it; returns its completion. */
    private Completion runningJob(JobStore store) {
        UUID id = new Uuid7(java.time.InstantSource.fixed(t0)).next();
        store.insert(List.of(new NewJob(id, A, JobType.QUEUEABLE, "x.Job", null, "{}", null, 1, null, t0, t0, null,
                null, 0)));
        ClaimedJob job = store.claim(new ClaimRequest("n1", t0, t0.plusSeconds(30), List.of(A), 1, 1)).get(0);
        return new Completion(job.id(), A, job.attempt(), JobStatus.COMPLETED, null, t0.plusSeconds(1));
    }

    private static JobStatus status(JobStore store, Completion c) {
        return store.find(A, JobId.of(c.id())).orElseThrow().status();
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aCompletionNoClaimCarriesIsWrittenByTheCompleter(Db db) {
        JobStore store = store(db);
        Completion done = runningJob(store);
        Completer completer = new Completer(store);
        completer.start();
        try {
            completer.accept(done);
            await().atMost(Duration.ofSeconds(5)).until(() -> status(store, done) == JobStatus.COMPLETED);
        } finally {
            completer.stop();
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aClaimTakesPendingCompletionsOnlyWhereClaimsCarryThem(Db db) {
        JobStore store = store(db);
        Completion done = runningJob(store);
        Completer completer = new Completer(store);
        completer.accept(done);
        List<Completion> taken = completer.takeForClaim();
        if (db == Db.H2) {
            assertThat(completer.carried()).isTrue();
            assertThat(taken).containsExactly(done);
            assertThat(completer.runOnce()).isZero();
            // The claim's transaction failed: handed back, the completion is written by the completer after all.
            completer.putBack(taken);
        } else {
            assertThat(completer.carried()).isFalse();
            assertThat(taken).isEmpty();
        }
        assertThat(completer.runOnce()).isEqualTo(1);
        assertThat(status(store, done)).isEqualTo(JobStatus.COMPLETED);
    }
}
