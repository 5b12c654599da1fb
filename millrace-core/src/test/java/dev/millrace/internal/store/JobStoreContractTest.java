package dev.millrace.internal.store;

import dev.millrace.DuplicateJobException;
import dev.millrace.JobId;
import dev.millrace.JobStatus;
import dev.millrace.JobType;
import dev.millrace.TenantId;
import dev.millrace.TenantPolicy;
import dev.millrace.internal.store.sql.SqlStore;
import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import dev.millrace.testing.TestDatabase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The store's transitions, the same on every database. */
class JobStoreContractTest extends DatabaseTest {
    static final TenantId A = TenantId.of("a");
    static final TenantId B = TenantId.of("b");
    static final TenantId C = TenantId.of("c");
    private final Instant t0 = Instant.parse("2026-11-24T10:00:00Z");

    private JobStore store(Db db) {
        TestDatabase d = database(db);
        SqlStore sql = closeAfter(SqlStore.open(d.dataSource(), null, null, null, null, d.schema(), 4, true));
        for (TenantId t : List.of(A, B, C)) sql.tenants().put(t, TenantPolicy.DEFAULTS, t0);
        return sql.jobs();
    }

    private static long seq;

    private NewJob job(TenantId tenant, Instant createdAt, Instant runAt) {
        // Time-ordered ids, as the engine makes them.
        UUID id = new UUID((createdAt.toEpochMilli() << 16) | 0x7000 | (seq++ & 0xFFF), 0x8000000000000000L | seq);
        return new NewJob(id, tenant, JobType.QUEUEABLE, "x.Job", null, "{}", null, 1, null, createdAt, runAt, null,
                null, 0);
    }

    private List<NewJob> jobs(TenantId tenant, int n) {
        List<NewJob> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(job(tenant, t0.plusMillis(i), t0.plusMillis(i)));
        return out;
    }

    private static ClaimRequest claim(String node, Instant now, List<TenantId> tenants, int perTenant, int total) {
        return new ClaimRequest(node, now, now.plusSeconds(30), tenants, perTenant, total);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void claimTakesAShareFromEveryTenantWithReadyWork(Db db) {
        JobStore store = store(db);
        store.insert(jobs(A, 100));
        store.insert(jobs(B, 1));
        store.insert(jobs(C, 2));
        Instant now = t0.plusSeconds(1);
        assertThat(store.readyTenants(now, 10)).containsExactly(A, B, C);
        List<ClaimedJob> claimed = store.claim(claim("n1", now, List.of(A, B, C), 4, 8));
        assertThat(claimed).hasSize(7);
        assertThat(claimed).filteredOn(j -> j.tenant().equals(A)).hasSize(4);
        assertThat(claimed).filteredOn(j -> j.tenant().equals(B)).hasSize(1);
        assertThat(claimed).filteredOn(j -> j.tenant().equals(C)).hasSize(2);
        assertThat(claimed).allSatisfy(j -> assertThat(j.attempt()).isEqualTo(1));
        // Oldest first within a tenant.
        assertThat(claimed.stream().filter(j -> j.tenant().equals(A)).map(ClaimedJob::createdAt))
                .isSortedAccordingTo(Instant::compareTo);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void theNextRunAtIsTheEarliestDelayedJobOfAnyTenant(Db db) {
        JobStore store = store(db);
        store.insert(jobs(A, 2));
        NewJob later = job(A, t0, t0.plus(Duration.ofMinutes(7)));
        NewJob sooner = job(B, t0, t0.plus(Duration.ofMinutes(3)));
        store.insert(List.of(later));
        store.insert(List.of(sooner));
        Instant now = t0.plusSeconds(1);
        assertThat(store.nextRunAt(now)).contains(sooner.runAt());
        assertThat(store.nextRunAt(sooner.runAt())).contains(later.runAt());
        assertThat(store.nextRunAt(later.runAt())).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void claimedJobsAreNotClaimedAgainAndDelayedOnesWait(Db db) {
        JobStore store = store(db);
        store.insert(jobs(A, 3));
        NewJob delayed = job(A, t0, t0.plus(Duration.ofMinutes(5)));
        store.insert(List.of(delayed));
        Instant now = t0.plusSeconds(1);
        assertThat(store.claim(claim("n1", now, List.of(A), 10, 10))).hasSize(3);
        assertThat(store.claim(claim("n2", now, List.of(A), 10, 10))).isEmpty();
        assertThat(store.readyTenants(now, 10)).isEmpty();
        assertThat(store.nextRunAt(now)).contains(delayed.runAt());
        assertThat(store.claim(claim("n2", delayed.runAt(), List.of(A), 10, 10)))
                .extracting(ClaimedJob::id).containsExactly(delayed.id());
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aClaimOfOneTenantTakesItsOldestReadyJobsOfTheTypesAllowedUpToTheSmallerOfItsLimitAndTheTotal(Db db) {
        JobStore store = store(db);
        List<NewJob> queued = jobs(A, 6);
        store.insert(queued);
        NewJob finalizer = new NewJob(UUID.randomUUID(), A, JobType.FINALIZER, "x.Fin", null, "{}", null, 1, null,
                t0.minusSeconds(1), t0.minusSeconds(1), null, null, 0);
        store.insert(List.of(finalizer));
        Instant now = t0.plusSeconds(1);
        ClaimRequest.Lane noFinalizers = new ClaimRequest.Lane(4, 0, 1, java.util.EnumSet.of(JobType.FINALIZER));
        List<ClaimedJob> first = store.claim(new ClaimRequest("n1", now, now.plusSeconds(30), List.of(A), 0, 10,
                List.of(noFinalizers)));
        assertThat(first).extracting(ClaimedJob::id).as("the lane's 4 oldest, oldest first; not the older finalizer")
                .containsExactly(queued.get(0).id(), queued.get(1).id(), queued.get(2).id(), queued.get(3).id());
        List<ClaimedJob> second = store.claim(claim("n1", now, List.of(A), 10, 2));
        assertThat(second).extracting(ClaimedJob::id).as("the total's 2")
                .containsExactly(finalizer.id(), queued.get(4).id());
        assertThat(second).allSatisfy(j -> assertThat(j.attempt()).isEqualTo(1));
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void claimMarksJobsProcessingOnTheNode(Db db) {
        JobStore store = store(db);
        NewJob j = jobs(A, 1).get(0);
        store.insert(List.of(j));
        Instant now = t0.plusSeconds(1);
        store.claim(claim("n1", now, List.of(A), 1, 1));
        var record = store.find(A, JobId.of(j.id())).orElseThrow();
        assertThat(record.status()).isEqualTo(JobStatus.PROCESSING);
        assertThat(record.node()).isEqualTo("n1");
        assertThat(record.attempt()).isEqualTo(1);
        assertThat(record.startedAt()).isEqualTo(now);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void completionIsFencedByAttempt(Db db) {
        JobStore store = store(db);
        NewJob j = jobs(A, 1).get(0);
        store.insert(List.of(j));
        Instant now = t0.plusSeconds(1);
        ClaimedJob first = store.claim(claim("zombie", now, List.of(A), 1, 1)).get(0);
        // The lease expires; the rescuer re-queues the job and another node claims attempt 2.
        assertThat(store.rescue(now.plusSeconds(31), 3).requeued()).isEqualTo(1);
        ClaimedJob second = store.claim(claim("n2", now.plusSeconds(32), List.of(A), 1, 1)).get(0);
        assertThat(second.attempt()).isEqualTo(2);
        Set<UUID> late = store.complete(List.of(new Completion(j.id(), A, first.attempt(), JobStatus.COMPLETED, null, now)));
        assertThat(late).isEmpty();
        assertThat(store.find(A, JobId.of(j.id())).orElseThrow().status()).isEqualTo(JobStatus.PROCESSING);
        Set<UUID> ok = store.complete(List.of(new Completion(j.id(), A, 2, JobStatus.COMPLETED, null, now.plusSeconds(33))));
        assertThat(ok).containsExactly(j.id());
        var done = store.find(A, JobId.of(j.id())).orElseThrow();
        assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(done.attempt()).isEqualTo(2);
        assertThat(done.node()).isEqualTo("n2");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aClaimCarryingCompletionsEndsThoseAttemptsAndClaimsTheNextJobs(Db db) {
        JobStore store = store(db);
        List<NewJob> js = jobs(A, 4);
        store.insert(js);
        Instant now = t0.plusSeconds(1);
        List<ClaimedJob> first = store.claim(claim("n1", now, List.of(A), 2, 2));
        assertThat(first).extracting(ClaimedJob::id).containsExactly(js.get(0).id(), js.get(1).id());
        // The second completion names an attempt that no longer holds the job: it is left alone, as complete() does.
        List<Completion> done = List.of(
                new Completion(js.get(0).id(), A, 1, JobStatus.COMPLETED, null, now.plusMillis(5)),
                new Completion(js.get(1).id(), A, 7, JobStatus.COMPLETED, null, now.plusMillis(5)));
        JobStore.Carried carried = store.completeAndClaim(done, claim("n1", now.plusMillis(10), List.of(A), 2, 2));
        assertThat(carried.claimed()).extracting(ClaimedJob::id).containsExactly(js.get(2).id(), js.get(3).id());
        assertThat(carried.ended()).containsExactly(js.get(0).id());
        var ended = store.find(A, JobId.of(js.get(0).id())).orElseThrow();
        assertThat(ended.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(ended.completedAt()).isEqualTo(now.plusMillis(5));
        assertThat(store.find(A, JobId.of(js.get(1).id())).orElseThrow().status()).isEqualTo(JobStatus.PROCESSING);
        assertThat(store.find(A, JobId.of(js.get(3).id())).orElseThrow().status()).isEqualTo(JobStatus.PROCESSING);
        // Where a commit writes the pages it dirtied (H2's file store), claims carry completions; not on PostgreSQL.
        assertThat(store.claimsCarryCompletions()).isEqualTo(db == Db.H2);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aFailedClaimCarryingCompletionsEndsNothing(Db db) {
        JobStore store = store(db);
        List<NewJob> js = jobs(A, 2);
        store.insert(js);
        Instant now = t0.plusSeconds(1);
        ClaimedJob running = store.claim(claim("n1", now, List.of(A), 1, 1)).get(0);
        Completion done = new Completion(running.id(), A, 1, JobStatus.COMPLETED, null, now.plusMillis(5));
        // A node name longer than its column makes the claim's update fail after the completion was written.
        ClaimRequest failing = claim("n".repeat(101), now.plusMillis(10), List.of(A), 1, 1);
        assertThatThrownBy(() -> store.completeAndClaim(List.of(done), failing)).isInstanceOf(StoreException.class);
        assertThat(store.find(A, JobId.of(running.id())).orElseThrow().status()).isEqualTo(JobStatus.PROCESSING);
        assertThat(store.find(A, JobId.of(js.get(1).id())).orElseThrow().status()).isEqualTo(JobStatus.QUEUED);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void rescueFailsAJobOutOfAttemptsAndSaysWhy(Db db) {
        JobStore store = store(db);
        NewJob j = jobs(A, 1).get(0);
        store.insert(List.of(j));
        Instant now = t0.plusSeconds(1);
        store.claim(claim("dead-node", now, List.of(A), 1, 1));
        RescueResult r = store.rescue(now.plusSeconds(31), 1);
        assertThat(r.failed()).isEqualTo(1);
        var record = store.find(A, JobId.of(j.id())).orElseThrow();
        assertThat(record.status()).isEqualTo(JobStatus.FAILED);
        assertThat(record.extendedStatus()).isEqualTo("gave up: lease expired on node dead-node during attempt 1 of 1"
                + " (the node died or stalled)");
        assertThat(store.log(A, JobId.of(j.id()))).anySatisfy(e -> assertThat(e.message()).startsWith("rescued:"));
        assertThat(store.rescue(now.plusSeconds(60), 1).total()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void renewedLeasesAreNotRescued(Db db) {
        JobStore store = store(db);
        store.insert(jobs(A, 2));
        Instant now = t0.plusSeconds(1);
        store.claim(claim("n1", now, List.of(A), 2, 2));
        assertThat(store.renewLeases("n1", now.plusSeconds(60))).isEqualTo(2);
        assertThat(store.renewLeases("other", now.plusSeconds(60))).isZero();
        assertThat(store.rescue(now.plusSeconds(45), 3).total()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void releasedJobsAreReadyAgainAsIfNeverClaimed(Db db) {
        JobStore store = store(db);
        store.insert(jobs(A, 2));
        Instant now = t0.plusSeconds(1);
        List<ClaimedJob> claimed = store.claim(claim("n1", now, List.of(A), 2, 2));
        assertThat(store.release("n1", claimed)).isEqualTo(2);
        var again = store.claim(claim("n2", now, List.of(A), 2, 2));
        assertThat(again).extracting(ClaimedJob::attempt).containsExactly(1, 1);
        assertThat(store.find(A, JobId.of(again.get(0).id())).orElseThrow().node()).isEqualTo("n2");
    }

    // A node's claims of a tenant start after the last job it claimed (PostgreSQL, so as not to walk the index entries
    // its claims left behind): jobs that become ready behind that point must still be claimed, promptly.

    /**
     * A job of A stamped before the jobs already claimed and committed after their claims (a long transaction, another
     * node's slow clock): it is ready behind where A's claims now start.
     */
    private NewJob insertLate(JobStore store) {
        NewJob late = job(A, t0.minusSeconds(5), t0.minusSeconds(5));
        store.insert(List.of(late));
        return late;
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aJobReleasedBehindLaterClaimsIsClaimedByTheNextClaim(Db db) {
        JobStore store = store(db);
        store.insert(jobs(A, 4));
        Instant now = t0.plusSeconds(10);
        List<ClaimedJob> first = store.claim(claim("n1", now, List.of(A), 1, 1));
        store.claim(claim("n1", now, List.of(A), 1, 1));
        store.release("n1", first);
        assertThat(store.claim(claim("n1", now, List.of(A), 1, 1))).extracting(ClaimedJob::id)
                .containsExactly(first.get(0).id());
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aJobCommittedLateBehindLaterClaimsIsClaimedOnceTheTenantsClaimsRunShort(Db db) {
        JobStore store = store(db);
        List<NewJob> queued = jobs(A, 3);
        store.insert(queued);
        Instant now = t0.plusSeconds(10);
        store.claim(claim("n1", now, List.of(A), 1, 1));
        NewJob late = insertLate(store);
        List<UUID> claimed = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            for (ClaimedJob j : store.claim(claim("n1", now, List.of(A), 10, 10))) claimed.add(j.id());
        }
        assertThat(claimed).containsExactlyInAnyOrder(late.id(), queued.get(1).id(), queued.get(2).id());
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aClaimThatFindsNothingPastItsFloorReadsFromTheStartAtOnce(Db db) {
        JobStore store = store(db);
        List<NewJob> queued = jobs(A, 2);
        store.insert(queued);
        Instant now = t0.plusSeconds(10);
        store.claim(claim("n1", now, List.of(A), 1, 1));
        NewJob late = insertLate(store);
        List<UUID> claimed = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            List<ClaimedJob> one = store.claim(claim("n1", now, List.of(A), 1, 1));
            assertThat(one).as("claim %d", i + 2).hasSize(1);
            claimed.add(one.get(0).id());
        }
        assertThat(claimed).containsExactlyInAnyOrder(late.id(), queued.get(1).id());
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aJobCommittedLateIsClaimedWithinASecondWhileTheTenantsBacklogLasts(Db db) {
        JobStore store = store(db);
        store.insert(jobs(A, 10));
        store.insert(jobs(B, 10));
        Instant now = t0.plusSeconds(10);
        store.claim(claim("n1", now, List.of(A, B), 1, 2));
        NewJob late = insertLate(store);
        // Every claim gets all it asks for, so only the full read due a second later goes back for the late job.
        List<ClaimedJob> claimed = new ArrayList<>();
        for (Instant at = now; !at.isAfter(now.plusSeconds(1)); at = at.plusMillis(250)) {
            claimed.addAll(store.claim(claim("n1", at, List.of(A, B), 2, 4)));
        }
        assertThat(claimed).extracting(ClaimedJob::id).contains(late.id());
        assertThat(claimed).filteredOn(j -> j.tenant().equals(A)).hasSize(10);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void abortRequestReachesTheNodeRunningTheJob(Db db) {
        JobStore store = store(db);
        NewJob j = jobs(A, 1).get(0);
        store.insert(List.of(j));
        store.claim(claim("n1", t0.plusSeconds(1), List.of(A), 1, 1));
        assertThat(store.abort(B, j.id(), t0)).isEqualTo(AbortOutcome.NOT_FOUND);
        assertThat(store.abort(A, j.id(), t0)).isEqualTo(AbortOutcome.REQUESTED);
        assertThat(store.abortRequested("n1")).containsExactly(j.id());
        assertThat(store.abortRequested("n2")).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void pruneDeletesOnlyEndedJobsBeforeTheCutoffWithTheirLogs(Db db) {
        JobStore store = store(db);
        List<NewJob> all = jobs(A, 3);
        store.insert(all);
        Instant now = t0.plusSeconds(1);
        List<ClaimedJob> claimed = store.claim(claim("n1", now, List.of(A), 2, 2));
        store.complete(List.of(new Completion(claimed.get(0).id(), A, 1, JobStatus.COMPLETED, null, t0.plus(Duration.ofDays(1))),
                new Completion(claimed.get(1).id(), A, 1, JobStatus.FAILED, "x", t0.plus(Duration.ofDays(5)))));
        store.appendLog(List.of(new LogRow(claimed.get(0).id(), A, now, dev.millrace.LogLevel.INFO, "m", null, "tx", null,
                null)));
        Instant cutoff = t0.plus(Duration.ofDays(3));
        assertThat(store.prune(B, cutoff, 100)).isZero();
        assertThat(store.prune(A, cutoff, 100)).isEqualTo(1);
        assertThat(store.find(A, JobId.of(claimed.get(0).id()))).isEmpty();
        assertThat(store.log(A, JobId.of(claimed.get(0).id()))).isEmpty();
        assertThat(store.find(A, JobId.of(claimed.get(1).id()))).isPresent();
        assertThat(store.find(A, JobId.of(all.get(2).id())).orElseThrow().status()).isEqualTo(JobStatus.QUEUED);
        assertThat(store.prune(A, t0.plus(Duration.ofDays(30)), 100)).isEqualTo(1);
    }

    private NewJob signed(TenantId tenant, String signature, Instant at) {
        NewJob j = job(tenant, at, at);
        return new NewJob(j.id(), tenant, j.type(), j.className(), null, "{}", null, 1, null, at, at, signature, null, 0);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aSignatureIsHeldWhileItsJobIsLiveAndFreeAgainOnceItEndedOrWasPruned(Db db) {
        JobStore store = store(db);
        NewJob first = signed(A, "s", t0);
        store.insert(List.of(first));
        assertThatThrownBy(() -> store.insert(List.of(signed(A, "s", t0.plusMillis(1)))))
                .isInstanceOf(DuplicateJobException.class);
        // Two of one signature in one call: refused, and neither is written.
        NewJob lone = signed(A, "t", t0.plusMillis(2));
        assertThatThrownBy(() -> store.insert(List.of(lone, signed(A, "t", t0.plusMillis(3)))))
                .isInstanceOf(DuplicateJobException.class);
        assertThat(store.find(A, JobId.of(lone.id()))).isEmpty();
        // Another tenant's signature is its own.
        store.insert(List.of(signed(B, "s", t0)));
        // Running is live too.
        Instant now = t0.plusSeconds(1);
        ClaimedJob running = store.claim(claim("n1", now, List.of(A), 1, 1)).get(0);
        assertThat(running.id()).isEqualTo(first.id());
        assertThatThrownBy(() -> store.insert(List.of(signed(A, "s", now)))).isInstanceOf(DuplicateJobException.class);
        // Once it ended, the next job takes the signature, and holds it in turn.
        store.complete(List.of(new Completion(first.id(), A, 1, JobStatus.COMPLETED, null, now)));
        NewJob second = signed(A, "s", now.plusMillis(1));
        store.insert(List.of(second));
        assertThatThrownBy(() -> store.insert(List.of(signed(A, "s", now.plusMillis(2)))))
                .isInstanceOf(DuplicateJobException.class);
        // A holder pruned after it ended frees its signature as well.
        ClaimedJob again = store.claim(claim("n1", now.plusSeconds(1), List.of(A), 1, 1)).get(0);
        assertThat(again.id()).isEqualTo(second.id());
        store.complete(List.of(new Completion(second.id(), A, 1, JobStatus.COMPLETED, null, now.plusSeconds(1))));
        assertThat(store.prune(A, now.plus(Duration.ofDays(1)), 100)).isEqualTo(2);
        NewJob third = signed(A, "s", now.plusSeconds(2));
        store.insert(List.of(third));
        assertThat(store.find(A, JobId.of(third.id())).orElseThrow().status()).isEqualTo(JobStatus.QUEUED);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void timesRoundTripToTheMicrosecond(Db db) {
        JobStore store = store(db);
        Instant odd = Instant.parse("2026-11-24T10:00:00.123456Z");
        NewJob j = job(A, odd, odd.plus(3, ChronoUnit.MINUTES));
        store.insert(List.of(j));
        var r = store.find(A, JobId.of(j.id())).orElseThrow();
        assertThat(r.createdAt()).isEqualTo(odd);
        assertThat(r.runAt()).isEqualTo(odd.plus(3, ChronoUnit.MINUTES));
    }
}
