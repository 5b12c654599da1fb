package dev.millrace;

import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import dev.millrace.testing.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The job query API: filters, newest first, keyset paging; and delays seen through an injected clock. */
class QueryTest extends DatabaseTest {
    static final TenantId ACME = TenantId.of("acme");

    @ParameterizedTest
    @EnumSource(Db.class)
    void keysetPagingVisitsEveryJobOnceNewestFirst(Db db) {
        Millrace m = node(builder(db).register(TestJobs.Record.class));
        m.tenants().create(ACME);
        List<JobId> ids = new ArrayList<>();
        for (int i = 0; i < 25; i++) ids.add(m.enqueue(ACME, new TestJobs.Record("r" + i)));
        List<JobId> seen = new ArrayList<>();
        JobQuery.Builder q = JobQuery.forTenant(ACME).limit(10);
        JobPage page = m.jobs().find(q.build());
        int pages = 1;
        seen.addAll(page.jobs().stream().map(JobRecord::id).toList());
        while (page.nextCursor().isPresent()) {
            page = m.jobs().find(q.after(page.nextCursor().get()).build());
            seen.addAll(page.jobs().stream().map(JobRecord::id).toList());
            pages++;
        }
        assertThat(pages).isEqualTo(3);
        assertThat(seen).containsExactlyElementsOf(ids.reversed());
        assertThat(new HashSet<>(seen)).hasSize(25);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void filtersCombine(Db db) {
        MutableClock clock = MutableClock.now();
        Millrace m = node(builder(db).clock(clock).register(TestJobs.Record.class).register(TestJobs.Fail.class)
                .registerFutures(TestJobs.Futures.class));
        m.tenants().create(ACME);
        m.enqueue(ACME, new TestJobs.Record("early"));
        clock.advance(Duration.ofHours(1));
        var from = clock.instant();
        JobId record = m.enqueue(ACME, new TestJobs.Record("late"));
        JobId fail = m.enqueue(ACME, new TestJobs.Fail());
        m.runReadyJobs(ACME, 10);
        m.enqueueFuture(ACME, TestJobs.Futures.class, "failing", "x");

        assertThat(m.jobs().find(JobQuery.forTenant(ACME).status(JobStatus.FAILED).build()).jobs())
                .extracting(JobRecord::id).containsExactly(fail);
        assertThat(m.jobs().find(JobQuery.forTenant(ACME).type(JobType.FUTURE).build()).jobs())
                .extracting(JobRecord::status).containsExactly(JobStatus.QUEUED);
        assertThat(m.jobs().find(JobQuery.forTenant(ACME).className(TestJobs.Record.class.getName())
                .createdBetween(from, null).build()).jobs()).extracting(JobRecord::id).containsExactly(record);
        assertThat(m.jobs().find(JobQuery.forTenant(ACME).createdBetween(null, from).build()).jobs()).hasSize(1);
        assertThat(m.jobs().find(JobQuery.forTenant(ACME).status(JobStatus.COMPLETED, JobStatus.FAILED)
                .type(JobType.QUEUEABLE).build()).jobs()).hasSize(3);
        assertThat(m.jobs().countByStatus(JobQuery.forTenant(ACME).build())).containsExactlyInAnyOrderEntriesOf(
                java.util.Map.of(JobStatus.COMPLETED, 2L, JobStatus.FAILED, 1L, JobStatus.QUEUED, 1L));
        assertThat(m.jobs().countByStatus(JobQuery.forTenant(ACME).createdBetween(from, null)
                .type(JobType.QUEUEABLE).build())).containsExactlyInAnyOrderEntriesOf(
                java.util.Map.of(JobStatus.COMPLETED, 1L, JobStatus.FAILED, 1L));
    }

    @Test
    void badQueriesAreRefusedWithTheRule() {
        assertThatThrownBy(() -> JobQuery.forTenant(ACME).limit(0).build())
                .hasMessageContaining("limit 0 is out of range: expected 1 to 1000");
        var now = java.time.Instant.now();
        assertThatThrownBy(() -> JobQuery.forTenant(ACME).createdBetween(now, now.minusSeconds(1)).build())
                .hasMessageContaining("is before createdFrom");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void delayedJobStartsOnlyOnceItsDelayHasPassed(Db db) {
        TestJobs.reset();
        MutableClock clock = MutableClock.now();
        Millrace m = node(builder(db).clock(clock).register(TestJobs.Record.class));
        m.tenants().create(ACME);
        JobId id = m.enqueue(ACME, new TestJobs.Record("later"), AsyncOptions.delayMinutes(5));
        assertThat(m.runReadyJobs(ACME, 10)).isZero();
        clock.advance(Duration.ofMinutes(4).plusSeconds(59));
        assertThat(m.runReadyJobs(ACME, 10)).isZero();
        clock.advance(Duration.ofSeconds(1));
        assertThat(m.runReadyJobs(ACME, 10)).isEqualTo(1);
        assertThat(m.jobs().find(ACME, id).orElseThrow().status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(TestJobs.EVENTS).containsExactly("later");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void runJobRunsTheChosenJobOnlyWhenItIsReady(Db db) {
        TestJobs.reset();
        MutableClock clock = MutableClock.now();
        Millrace m = node(builder(db).clock(clock).register(TestJobs.Record.class));
        m.tenants().create(ACME);
        m.enqueue(ACME, new TestJobs.Record("older"));
        JobId later = m.enqueue(ACME, new TestJobs.Record("later"), AsyncOptions.delayMinutes(1));
        JobId chosen = m.enqueue(ACME, new TestJobs.Record("chosen"));
        assertThat(m.runJob(ACME, later)).isFalse();
        assertThat(m.runJob(TenantId.of("other"), chosen)).isFalse();
        assertThat(m.runJob(ACME, chosen)).isTrue();
        assertThat(m.runJob(ACME, chosen)).isFalse();
        assertThat(TestJobs.EVENTS).containsExactly("chosen");
        assertThat(m.jobs().find(ACME, chosen).orElseThrow().status()).isEqualTo(JobStatus.COMPLETED);
    }
}
