package dev.millrace;

import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import dev.millrace.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.sql.Connection;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.millrace.testing.Jobs.awaitTerminal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The enqueue path: every rule, and the error each broken rule gets. Nothing broken leaves a row behind. */
class EnqueueTest extends DatabaseTest {
    static final TenantId ACME = TenantId.of("acme");

    private Millrace client(Db db) {
        Millrace m = node(builder(db).register(TestJobs.Record.class).register(TestJobs.Unstorable.class)
                .register(TestJobs.NoDefaultConstructor.class).register(TestJobs.Rich.class)
                .registerFutures(TestJobs.Futures.class));
        m.tenants().create(ACME);
        return m;
    }

    private long rows(Db db, String table) {
        TestDatabase d = database(db);
        return d.queryLong("SELECT COUNT(*) FROM \"" + d.schema() + "\"." + table);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void enqueueReturnsAnIdOfAQueuedRow(Db db) {
        Millrace m = client(db);
        JobId id = m.enqueue(ACME, new TestJobs.Record("a"));
        JobRecord job = m.jobs().find(ACME, id).orElseThrow();
        assertThat(job.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(job.type()).isEqualTo(JobType.QUEUEABLE);
        assertThat(job.className()).isEqualTo(TestJobs.Record.class.getName());
        assertThat(job.stackDepth()).isEqualTo(1);
        assertThat(job.maxStackDepth()).isNull();
        assertThat(job.attempt()).isZero();
        assertThat(job.totalJobItems()).isEqualTo(1);
        assertThat(job.createdAt()).isNotNull();
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void unknownTenantIsRefusedByName(Db db) {
        Millrace m = client(db);
        assertThatThrownBy(() -> m.enqueue(TenantId.of("nobody"), new TestJobs.Record("a")))
                .isInstanceOf(UnknownTenantException.class)
                .hasMessageContaining("tenant 'nobody' does not exist");
        assertThatThrownBy(() -> m.jobs().find(JobQuery.forTenant(TenantId.of("nobody")).build()))
                .isInstanceOf(UnknownTenantException.class);
        assertThat(rows(db, "mr_job")).isZero();
    }

    @Test
    void invalidTenantIdIsRefusedWithTheRule() {
        assertThatThrownBy(() -> TenantId.of("a b"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tenant id 'a b' is invalid")
                .hasMessageContaining("1 to 64 characters");
    }

    @Test
    void invalidJobIdIsRefusedWithTheRule() {
        assertThatThrownBy(() -> JobId.of("42"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("job id '42' is invalid");
        assertThatThrownBy(() -> JobId.of("0193a5e2-7c1b-7d4e-9a4f-1c2d3e4f5a6g"))
                .as("a non-hex digit in the canonical layout").isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is invalid");
        assertThatThrownBy(() -> JobId.of("0193a5e2-7c1b-7d4e-9a4f+1c2d3e4f5a6b"))
                .as("a hyphen out of place").isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void jobIdsInAnyFormTheUuidParserTakesAreAccepted() {
        assertThat(JobId.of("0193A5E2-7C1B-7D4E-9A4F-1C2D3E4F5A6B").uuid())
                .isEqualTo(java.util.UUID.fromString("0193a5e2-7c1b-7d4e-9a4f-1c2d3e4f5a6b"));
        // Not canonical, but the parser has always taken it: still accepted.
        assertThat(JobId.of("1-2-3-4-5").uuid()).isEqualTo(java.util.UUID.fromString("1-2-3-4-5"));
        java.util.UUID id = java.util.UUID.randomUUID();
        assertThat(JobId.of(id).uuid()).isEqualTo(id);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void unregisteredJobClassIsRefused(Db db) {
        Millrace m = client(db);
        assertThatThrownBy(() -> m.enqueue(ACME, new TestJobs.Unregistered()))
                .isInstanceOf(UnknownJobTypeException.class)
                .hasMessageContaining(TestJobs.Unregistered.class.getName())
                .hasMessageContaining("register(Unregistered.class)");
        assertThat(rows(db, "mr_job")).isZero();
    }

    @Test
    void lambdaJobsCannotBeRegistered() {
        Queueable lambda = ctx -> { };
        assertThatThrownBy(() -> Millrace.builder().register(lambda.getClass()).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected a named top-level or static nested class");
    }

    @Test
    void nonJobClassesCannotBeRegistered() {
        assertThatThrownBy(() -> Millrace.builder().register(String.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.lang.String cannot be registered as a job");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void stateThatCannotBeStoredIsRefusedNamingTheField(Db db) {
        Millrace m = client(db);
        assertThatThrownBy(() -> m.enqueue(ACME, new TestJobs.Unstorable()))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining(TestJobs.Unstorable.class.getName())
                .hasMessageContaining("field 'callback'");
        assertThat(rows(db, "mr_job")).isZero();
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void jobWithoutNoArgumentConstructorIsRefusedAtEnqueue(Db db) {
        Millrace m = client(db);
        assertThatThrownBy(() -> m.enqueue(ACME, new TestJobs.NoDefaultConstructor("x")))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("expected a no-argument constructor");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void richStateRoundTripsAndTransientFieldsComeBackEmpty(Db db) {
        TestJobs.reset();
        Millrace m = client(db);
        var lines = List.of(new TestJobs.Rich.Line("sku-1", 2), new TestJobs.Rich.Line("sku-2", 1));
        JobId id = m.enqueue(ACME, new TestJobs.Rich(lines, Map.of("eur", 1250), LocalDate.of(2026, 12, 1)));
        m.start();
        assertThat(awaitTerminal(m, ACME, id).status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(TestJobs.SEEN.get("lines")).isEqualTo(lines);
        assertThat(TestJobs.SEEN.get("totals")).isEqualTo(Map.of("eur", 1250));
        assertThat(TestJobs.SEEN.get("due")).isEqualTo(LocalDate.of(2026, 12, 1));
        // The no-argument constructor ran, but the stored state never carried the transient field.
        assertThat(TestJobs.SEEN.get("cache")).isEqualTo("set at construction");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void delayBeyondTheTenantMaximumIsRefusedWithBothNumbers(Db db) {
        Millrace m = client(db);
        assertThatThrownBy(() -> m.enqueue(ACME, new TestJobs.Record("a"), AsyncOptions.delayMinutes(11)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("delay of 11 minutes is out of range")
                .hasMessageContaining("expected 0 to 10 minutes");
        m.tenants().put(ACME, TenantPolicy.DEFAULTS.withDelayMinutes(0, 30));
        JobId id = m.enqueue(ACME, new TestJobs.Record("a"), AsyncOptions.delayMinutes(11));
        JobRecord job = m.jobs().find(ACME, id).orElseThrow();
        assertThat(Duration.between(job.createdAt(), job.runAt())).isEqualTo(Duration.ofMinutes(11));
    }

    @Test
    void negativeDelayIsRefusedAtOnce() {
        assertThatThrownBy(() -> AsyncOptions.delayMinutes(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("minimumDelayMinutes -1 is out of range");
        assertThatThrownBy(() -> AsyncOptions.builder().maximumStackDepth(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maximumStackDepth 0 is out of range: expected 1 or more");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void tenantDefaultDelayAppliesWhenNoneIsGiven(Db db) {
        Millrace m = client(db);
        m.tenants().put(ACME, TenantPolicy.DEFAULTS.withDelayMinutes(3, 10));
        JobRecord job = m.jobs().find(ACME, m.enqueue(ACME, new TestJobs.Record("a"))).orElseThrow();
        assertThat(Duration.between(job.createdAt(), job.runAt())).isEqualTo(Duration.ofMinutes(3));
        JobRecord explicit = m.jobs().find(ACME, m.enqueue(ACME, new TestJobs.Record("b"), AsyncOptions.delayMinutes(0)))
                .orElseThrow();
        assertThat(explicit.runAt()).isEqualTo(explicit.createdAt());
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void duplicateSignatureIsRefusedWhileTheFirstJobIsActive(Db db) {
        Millrace m = client(db);
        var sig = DuplicateSignature.builder().add("invoice").add(42).build();
        var options = AsyncOptions.builder().duplicateSignature(sig).build();
        JobId first = m.enqueue(ACME, new TestJobs.Record("a"), options);
        assertThatThrownBy(() -> m.enqueue(ACME, new TestJobs.Record("b"), options))
                .isInstanceOf(DuplicateJobException.class)
                .hasMessageContaining("duplicate queueable signature")
                .hasMessageContaining("with signature 'invoice|42'");
        assertThat(rows(db, "mr_job")).isEqualTo(1);
        // Another tenant may use the same signature.
        m.tenants().create(TenantId.of("other"));
        m.enqueue(TenantId.of("other"), new TestJobs.Record("c"), options);
        // Once the first job ends, the signature is free again.
        m.start();
        awaitTerminal(m, ACME, first);
        JobId again = m.enqueue(ACME, new TestJobs.Record("d"), options);
        assertThat(awaitTerminal(m, ACME, again).status()).isEqualTo(JobStatus.COMPLETED);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void concurrentEnqueuesOfOneSignatureLeaveExactlyOneLiveJob(Db db) throws Exception {
        Millrace m = client(db);
        var options = AsyncOptions.builder().duplicateSignature(DuplicateSignature.builder().add("race").build()).build();
        int threads = 6;
        var pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            // Round 0 races for a free signature; later rounds for one whose holder just ended (aborted while queued),
            // which the duplicate check must hand to exactly one of them as well.
            for (int round = 0; round < 4; round++) {
                var start = new java.util.concurrent.CyclicBarrier(threads);
                List<java.util.concurrent.Future<JobId>> calls = new java.util.ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    String tag = round + "-" + i;
                    calls.add(pool.submit(() -> {
                        start.await();
                        try {
                            return m.enqueue(ACME, new TestJobs.Record(tag), options);
                        } catch (DuplicateJobException refused) {
                            return null;
                        }
                    }));
                }
                List<JobId> accepted = new java.util.ArrayList<>();
                for (var call : calls) {
                    JobId id = call.get(30, java.util.concurrent.TimeUnit.SECONDS);
                    if (id != null) accepted.add(id);
                }
                assertThat(accepted).as("enqueues accepted in round %d", round).hasSize(1);
                assertThat(m.jobs().countByStatus(JobQuery.forTenant(ACME).build()).get(JobStatus.QUEUED))
                        .as("queued jobs after round %d", round).isEqualTo(1L);
                m.jobs().abort(ACME, accepted.get(0));
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(rows(db, "mr_job")).isEqualTo(4);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void duplicateSignatureIsRefusedOnAStartedNodeWhoseWorkerIsIdle(Db db) {
        // With a worker idle, an enqueue inserts its row already claimed: that insert too must refuse a live
        // signature, and a job without one must not be held up by it.
        Millrace m = client(db);
        var sig = DuplicateSignature.builder().add("report").build();
        JobId waiting = m.enqueue(ACME, new TestJobs.Record("a"),
                AsyncOptions.builder().duplicateSignature(sig).delay(Duration.ofMinutes(5)).build());
        m.start();
        assertThatThrownBy(() -> m.enqueue(ACME, new TestJobs.Record("b"),
                AsyncOptions.builder().duplicateSignature(sig).build()))
                .isInstanceOf(DuplicateJobException.class)
                .hasMessageContaining("with signature 'report'");
        JobId unsigned = m.enqueue(ACME, new TestJobs.Record("c"));
        assertThat(awaitTerminal(m, ACME, unsigned).status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(m.jobs().find(ACME, waiting).orElseThrow().status()).isEqualTo(JobStatus.QUEUED);
        assertThat(rows(db, "mr_job")).isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void duplicateSignatureInTheCallersTransactionLeavesItUsable(Db db) throws Exception {
        Millrace m = client(db);
        var options = AsyncOptions.builder().duplicateSignature(DuplicateSignature.builder().add("x").build()).build();
        m.enqueue(ACME, new TestJobs.Record("a"), options);
        try (Connection c = database(db).dataSource().getConnection()) {
            c.setAutoCommit(false);
            assertThatThrownBy(() -> m.enqueue(c, ACME, new TestJobs.Record("b"), options))
                    .isInstanceOf(DuplicateJobException.class);
            m.enqueue(c, ACME, new TestJobs.Record("c"), AsyncOptions.none());
            c.commit();
        }
        assertThat(rows(db, "mr_job")).isEqualTo(2);
    }

    @Test
    void oversizedSignatureIsRefusedWithSizes() {
        var builder = DuplicateSignature.builder().add("x".repeat(200));
        assertThat(builder.size()).isEqualTo(202);
        assertThat(builder.remaining()).isEqualTo(54);
        assertThat(builder.maxSize()).isEqualTo(256);
        assertThatThrownBy(() -> builder.add("y".repeat(60)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("would be 265 bytes: the maximum is 256 bytes (54 remaining)");
        assertThatThrownBy(() -> DuplicateSignature.builder().build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("add at least one part");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void enqueueAllKeepsEveryCharacterOfEveryJob(Db db) {
        // PostgreSQL streams a bulk without signatures with COPY, whose text format escapes these characters.
        List<String> names = List.of("tab\there", "new\nline\r\nend", "back\\slash \\N \\t", "quote \" ' é ✓ 𝄞", "\\");
        Millrace m = client(db);
        TestJobs.reset();
        List<JobId> ids = m.enqueueAll(ACME, names.stream().map(TestJobs.Record::new).toList(), AsyncOptions.none());
        m.start();
        for (JobId id : ids) assertThat(awaitTerminal(m, ACME, id).status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(TestJobs.EVENTS).containsExactlyInAnyOrderElementsOf(names);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void enqueueAllStoresEachJobsOwnClassWhenClassesAlternate(Db db) {
        // PostgreSQL's COPY encodes a class name once while it repeats: a change of class must be written as such.
        Millrace m = node(builder(db).register(TestJobs.Record.class).register(TestJobs.Fail.class));
        m.tenants().create(ACME);
        List<Queueable> jobs = List.of(new TestJobs.Record("a"), new TestJobs.Record("b"), new TestJobs.Fail(),
                new TestJobs.Record("c"), new TestJobs.Fail(), new TestJobs.Fail());
        List<JobId> ids = m.enqueueAll(ACME, jobs, AsyncOptions.none());
        for (int k = 0; k < jobs.size(); k++) {
            JobRecord job = m.jobs().find(ACME, ids.get(k)).orElseThrow();
            assertThat(job.className()).as("job %d", k).isEqualTo(jobs.get(k).getClass().getName());
            assertThat(job.tenant()).isEqualTo(ACME);
            assertThat(job.status()).isEqualTo(JobStatus.QUEUED);
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void enqueueAllRefusesAnUnregisteredOrMissingJobAnywhereInTheListAndWritesNothing(Db db) {
        Millrace m = client(db);
        long before = rows(db, "mr_job");
        assertThatThrownBy(() -> m.enqueueAll(ACME, List.of(new TestJobs.Record("a"), new TestJobs.Record("b"),
                new TestJobs.Unregistered()), AsyncOptions.none()))
                .isInstanceOf(UnknownJobTypeException.class)
                .hasMessageContaining(TestJobs.Unregistered.class.getName());
        assertThatThrownBy(() -> m.enqueueAll(ACME, java.util.Arrays.asList(new TestJobs.Record("a"), null),
                AsyncOptions.none()))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("job");
        assertThat(rows(db, "mr_job")).isEqualTo(before);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void enqueueAllStoresOneCreatedTimeInMicrosecondsAndTheDelayedRunTime(Db db) {
        // PostgreSQL's bulk path writes timestamps in COPY's binary form: the node's clock ticks in microseconds.
        java.time.Instant at = java.time.Instant.parse("2026-11-25T10:15:30.123456789Z");
        Millrace m = node(builder(db).clock(java.time.Clock.fixed(at, java.time.ZoneOffset.UTC))
                .register(TestJobs.Record.class));
        m.tenants().create(ACME);
        List<JobId> ids = m.enqueueAll(ACME, List.of(new TestJobs.Record("a"), new TestJobs.Record("b")),
                AsyncOptions.builder().delay(java.time.Duration.ofMinutes(2)).build());
        JobId single = m.enqueue(ACME, new TestJobs.Record("c"));
        java.time.Instant micros = java.time.Instant.parse("2026-11-25T10:15:30.123456Z");
        for (JobId id : ids) {
            JobRecord r = m.jobs().find(ACME, id).orElseThrow();
            assertThat(r.createdAt()).isEqualTo(micros).isEqualTo(m.jobs().find(ACME, single).orElseThrow().createdAt());
            assertThat(r.runAt()).isEqualTo(micros.plus(java.time.Duration.ofMinutes(2)));
            assertThat(r.status()).isEqualTo(JobStatus.QUEUED);
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void enqueueAllIsAllOrNone(Db db) {
        Millrace m = client(db);
        var sig = AsyncOptions.builder().duplicateSignature(DuplicateSignature.builder().add("same").build()).build();
        assertThatThrownBy(() -> m.enqueueAll(ACME, List.of(new TestJobs.Record("a"), new TestJobs.Record("b")), sig))
                .isInstanceOf(DuplicateJobException.class);
        assertThat(rows(db, "mr_job")).isZero();
        List<JobId> ids = m.enqueueAll(ACME, List.of(new TestJobs.Record("a"), new TestJobs.Record("b")),
                AsyncOptions.none());
        assertThat(ids).hasSize(2).doesNotHaveDuplicates();
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void futureArgumentsThatAreNotSimpleAreRefusedNamingTheParameter(Db db) {
        Millrace m = client(db);
        assertThatThrownBy(() -> m.enqueueFuture(ACME, TestJobs.Futures.class, "greet", "x", 1,
                List.of(new TestJobs.Customer("c")), Map.of(), LocalDate.now(), Set.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("argument 3 ('tags')")
                .hasMessageContaining("is a java.util.ImmutableCollections$List12")
                .hasMessageContaining("expected a primitive or its wrapper, String");
        assertThatThrownBy(() -> m.enqueueFuture(ACME, TestJobs.Futures.class, "greet", "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("takes 6 arguments: got 1");
        assertThatThrownBy(() -> m.enqueueFuture(ACME, TestJobs.Futures.class, "missing"))
                .isInstanceOf(UnknownJobTypeException.class)
                .hasMessageContaining("future " + TestJobs.Futures.class.getName() + ".missing is not registered");
        assertThat(rows(db, "mr_job")).isZero();
    }

    @Test
    void futureWithNonSimpleParameterCannotBeRegistered() {
        assertThatThrownBy(() -> Millrace.builder().registerFutures(TestJobs.BadFutures.class).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("parameter 1 ('customer') is java.lang.Object");
    }

    @Test
    void builderRefusesBadSettingsWithTheRange() {
        assertThatThrownBy(() -> Millrace.builder().workers(0))
                .hasMessageContaining("workers 0 is out of range: expected 1 to 1000");
        assertThatThrownBy(() -> Millrace.builder().lease(Duration.ofMillis(10)))
                .hasMessageContaining("lease PT0.01S is out of range: expected at least PT1S");
        assertThatThrownBy(() -> Millrace.builder().jdbcUrl("jdbc:mysql://x", null, null))
                .hasMessageContaining("expected jdbc:postgresql:… or jdbc:h2:…");
        assertThatThrownBy(() -> Millrace.builder().schema("1bad"))
                .hasMessageContaining("schema '1bad' is invalid");
        assertThatThrownBy(() -> TenantPolicy.DEFAULTS.withDelayMinutes(20, 10))
                .hasMessageContaining("defaultDelayMinutes = 20 is out of range: expected 0 to 10");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void tenantPolicyIsStoredAndReadBack(Db db) {
        Millrace m = client(db);
        assertThat(m.tenants().policy(ACME)).contains(TenantPolicy.DEFAULTS);
        TenantPolicy custom = TenantPolicy.DEFAULTS.withDefaultMaxStackDepth(5).withJobRetentionDays(30);
        m.tenants().put(ACME, custom);
        assertThat(m.tenants().policy(ACME)).contains(custom);
        assertThat(m.tenants().create(ACME)).isEqualTo(custom);
        assertThat(m.tenants().list()).containsExactly(ACME);
        assertThat(m.tenants().policy(TenantId.of("none"))).isEmpty();
    }
}
