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
import dev.millrace.monitoring.EndedJob;
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

    /** A store with one running job, its completion, and a completer whose node keeps its ended jobs. */
    private final class Fixture {
        final JobStore store;
        final ClaimedJob job;
        final Completion done;
        final EndedJobs ended = new EndedJobs();
        final Completer completer;

        Fixture(Db db) {
            TestDatabase d = database(db);
            SqlStore sql = closeAfter(SqlStore.open(d.dataSource(), null, null, null, null, d.schema(), 4, true));
            sql.tenants().put(A, TenantPolicy.DEFAULTS, t0);
            store = sql.jobs();
            UUID id = new Uuid7(java.time.InstantSource.fixed(t0)).next();
            store.insert(List.of(new NewJob(id, A, JobType.QUEUEABLE, "x.Job", null, "{}", null, 1, null, t0, t0,
                    null, null, 0)));
            job = store.claim(new ClaimRequest("n1", t0, t0.plusSeconds(30), List.of(A), 1, 1)).get(0);
            done = new Completion(job.id(), A, job.attempt(), JobStatus.COMPLETED, null, t0.plusSeconds(1));
            taken(); // the node keeps ends from the first take on
            completer = new Completer(store, ended);
        }

        /** The ends the node recorded since the last take. */
        List<EndedJob> taken() {
            List<EndedJob> out = new java.util.ArrayList<>();
            ended.take(out::add);
            return out;
        }

        JobStatus status() {
            return store.find(A, JobId.of(done.id())).orElseThrow().status();
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aCompletionNoClaimCarriesIsWrittenByTheCompleter(Db db) {
        Fixture f = new Fixture(db);
        f.completer.start();
        try {
            f.completer.accept(f.done, f.job);
            await().atMost(Duration.ofSeconds(5)).until(() -> f.status() == JobStatus.COMPLETED);
        } finally {
            f.completer.stop();
        }
        assertThat(f.taken()).extracting(EndedJob::status).containsExactly(JobStatus.COMPLETED);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aClaimTakesPendingCompletionsOnlyWhereClaimsCarryThem(Db db) {
        Fixture f = new Fixture(db);
        f.completer.accept(f.done, f.job);
        List<Completer.Pending> taken = f.completer.takeForClaim();
        if (db == Db.H2) {
            assertThat(f.completer.carried()).isTrue();
            assertThat(Completer.completions(taken)).containsExactly(f.done);
            assertThat(f.completer.runOnce()).isZero();
            // The claim's transaction failed: handed back, the completion is written by the completer after all.
            f.completer.putBack(taken);
        } else {
            assertThat(f.completer.carried()).isFalse();
            assertThat(taken).isEmpty();
        }
        assertThat(f.taken()).as("nothing ended before a commit wrote it").isEmpty();
        assertThat(f.completer.runOnce()).isEqualTo(1);
        assertThat(f.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(f.taken()).extracting(EndedJob::status).containsExactly(JobStatus.COMPLETED);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aCompletionCarriedByAClaimCountsAsEndedOnceItsCommitWroteIt(Db db) {
        Fixture f = new Fixture(db);
        f.completer.accept(f.done, f.job);
        List<Completer.Pending> pending = db == Db.H2 ? f.completer.takeForClaim()
                : List.of(new Completer.Pending(f.done, f.job, 0));
        JobStore.Carried carried = f.store.completeAndClaim(Completer.completions(pending),
                new ClaimRequest("n1", t0.plusSeconds(2), t0.plusSeconds(30), List.of(A), 1, 1));
        assertThat(carried.ended()).containsExactly(f.done.id());
        assertThat(carried.claimed()).isEmpty();
        f.completer.written(pending, carried.ended());
        assertThat(f.taken()).extracting(EndedJob::status).containsExactly(JobStatus.COMPLETED);
        assertThat(f.status()).isEqualTo(JobStatus.COMPLETED);
    }
}
