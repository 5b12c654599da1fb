package dev.millrace;

import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.millrace.testing.Jobs.awaitTerminal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Futures: static methods with simple arguments, tracked like any job. */
class FutureTest extends DatabaseTest {
    static final TenantId ACME = TenantId.of("acme");

    private Millrace node(Db db) {
        TestJobs.reset();
        Millrace m = started(builder(db).registerFutures(TestJobs.Futures.class).register(TestJobs.CallsFuture.class));
        m.tenants().create(ACME);
        TestJobs.MILLRACE.set(m);
        TestJobs.SEEN.put("tenant", ACME.value());
        return m;
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void futureRunsWithItsArgumentsCopiedByValue(Db db) {
        Millrace m = node(db);
        List<String> tags = new java.util.ArrayList<>(List.of("vip"));
        JobId id = m.enqueueFuture(ACME, TestJobs.Futures.class, "greet", "Ada", 3, tags, Map.of("eur", 12L),
                LocalDate.of(2026, 11, 24), Set.of(JobStatus.FAILED));
        tags.add("changed after the call");
        JobRecord job = awaitTerminal(m, ACME, id);
        assertThat(job.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(job.type()).isEqualTo(JobType.FUTURE);
        assertThat(job.className()).isEqualTo(TestJobs.Futures.class.getName());
        assertThat(job.methodName()).isEqualTo("greet");
        assertThat(TestJobs.SEEN.get("greet")).isEqualTo("Ada x3 [vip] {eur=12} 2026-11-24 [FAILED]");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void futureCannotEnqueueAFuture(Db db) {
        Millrace m = node(db);
        JobId id = m.enqueueFuture(ACME, TestJobs.Futures.class, "nested");
        awaitTerminal(m, ACME, id);
        assertThat(TestJobs.SEEN.get("nested")).asString().startsWith("a future cannot enqueue a future");
        assertThat(m.jobs().find(JobQuery.forTenant(ACME).build()).jobs()).hasSize(1);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void queueableMayEnqueueFuturesInItsTransaction(Db db) {
        Millrace m = node(db);
        JobId parent = m.enqueue(ACME, new TestJobs.CallsFuture());
        awaitTerminal(m, ACME, parent);
        await().atMost(Duration.ofSeconds(20)).until(() -> TestJobs.SEEN.containsKey("greet"));
        assertThat(TestJobs.SEEN.get("greet")).isEqualTo("from job x2 [a] {k=1} 2026-01-02 [QUEUED]");
        JobRecord future = m.jobs().find(JobQuery.forTenant(ACME).type(JobType.FUTURE).build()).jobs().get(0);
        assertThat(future.parentJobId()).isEqualTo(parent);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void failingFutureIsRecordedAsFailed(Db db) {
        Millrace m = node(db);
        JobId id = m.enqueueFuture(ACME, TestJobs.Futures.class, "failing", "no stock");
        JobRecord job = awaitTerminal(m, ACME, id);
        assertThat(job.status()).isEqualTo(JobStatus.FAILED);
        assertThat(job.extendedStatus()).isEqualTo("java.lang.IllegalStateException: no stock");
    }
}
