package dev.millrace.internal.engine;

import dev.millrace.EndedJob;
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

    /** Inserts a job and claims it. */
    private ClaimedJob runningJob(JobStore store) {
        UUID id = new Uuid7(java.time.InstantSource.fixed(t0)).next();
        store.insert(List.of(new NewJob(id, A, JobType.QUEUEABLE, "x.Job", null, "{}", null, 1, null, t0, t0, null,
                null, 0)));
        return store.claim(new ClaimRequest("n1", t0, t0.plusSeconds(30), List.of(A), 1, 1)).get(0);
    }

    private Completion completion(ClaimedJob job) {
        return new Completion(job.id(), A, job.attempt(), JobStatus.COMPLETED, null, t0.plusSeconds(1));
    }

    /** The ends the node recorded since the last take. */
    private static List<EndedJob> taken(EndedJobs ended) {
        List<EndedJob> out = new java.util.ArrayList<>();
        ended.take(out::add);
        return out;
    }

    private static JobStatus status(JobStore store, Completion c) {
        return store.find(A, JobId.of(c.id())).orElseThrow().status();
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aCompletionNoClaimCarriesIsWrittenByTheCompleter(Db db) {
        JobStore store = store(db);
        ClaimedJob job = runningJob(store);
        Completion done = completion(job);
        EndedJobs ended = new EndedJobs();
        taken(ended);
        Completer completer = new Completer(store, ended);
        completer.start();
        try {
            completer.accept(done, job);
            await().atMost(Duration.ofSeconds(5)).until(() -> status(store, done) == JobStatus.COMPLETED);
        } finally {
            completer.stop();
        }
        assertThat(taken(ended)).extracting(EndedJob::status).containsExactly(JobStatus.COMPLETED);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aClaimTakesPendingCompletionsOnlyWhereClaimsCarryThem(Db db) {
        JobStore store = store(db);
        ClaimedJob job = runningJob(store);
        Completion done = completion(job);
        EndedJobs ended = new EndedJobs();
        taken(ended);
        Completer completer = new Completer(store, ended);
        completer.accept(done, job);
        List<Completer.Pending> taken = completer.takeForClaim();
        if (db == Db.H2) {
            assertThat(completer.carried()).isTrue();
            assertThat(Completer.completions(taken)).containsExactly(done);
            assertThat(completer.runOnce()).isZero();
            // The claim's transaction failed: handed back, the completion is written by the completer after all.
            completer.putBack(taken);
        } else {
            assertThat(completer.carried()).isFalse();
            assertThat(taken).isEmpty();
        }
        assertThat(taken(ended)).as("nothing ended before a commit wrote it").isEmpty();
        assertThat(completer.runOnce()).isEqualTo(1);
        assertThat(status(store, done)).isEqualTo(JobStatus.COMPLETED);
        assertThat(taken(ended)).extracting(EndedJob::status).containsExactly(JobStatus.COMPLETED);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aCompletionCarriedByAClaimCountsAsEndedOnceItsCommitWroteIt(Db db) {
        JobStore store = store(db);
        ClaimedJob job = runningJob(store);
        Completion done = completion(job);
        EndedJobs ended = new EndedJobs();
        taken(ended);
        Completer completer = new Completer(store, ended);
        completer.accept(done, job);
        List<Completer.Pending> pending = db == Db.H2 ? completer.takeForClaim()
                : List.of(new Completer.Pending(done, job, 0));
        JobStore.Carried carried = store.completeAndClaim(Completer.completions(pending),
                new ClaimRequest("n1", t0.plusSeconds(2), t0.plusSeconds(30), List.of(A), 1, 1));
        assertThat(carried.ended()).containsExactly(done.id());
        assertThat(carried.claimed()).isEmpty();
        completer.written(pending, carried.ended());
        assertThat(taken(ended)).extracting(EndedJob::status).containsExactly(JobStatus.COMPLETED);
        assertThat(status(store, done)).isEqualTo(JobStatus.COMPLETED);
    }
}
