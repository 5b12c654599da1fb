package dev.millrace;

import dev.millrace.limits.LimitException;
import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import dev.millrace.testing.MutableClock;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The daily async execution allocation (LIM-6) is refused at enqueue with when it frees up. */
class DailyAllocationTest extends DatabaseTest {
    static final TenantId ACME = TenantId.of("acme");

    @ParameterizedTest
    @EnumSource(Db.class)
    void anEnqueueBeyondTheDailyAllocationIsRefusedSayingWhenItFreesUp(Db db) {
        MutableClock clock = new MutableClock(Instant.parse("2026-03-01T09:15:00Z"));
        Millrace m = node(builder(db).clock(clock).register(TestJobs.Record.class).registerFutures(TestJobs.Futures.class));
        m.tenants().put(ACME, TenantPolicy.DEFAULTS.withDailyAsyncExecutions(3));
        m.enqueue(ACME, new TestJobs.Record("1"));
        clock.advance(Duration.ofHours(2));   // 11:15: a second hour of the window
        m.enqueue(ACME, new TestJobs.Record("2"));
        m.enqueueFuture(ACME, TestJobs.Futures.class, "failing", "3");

        assertThatThrownBy(() -> m.enqueue(ACME, new TestJobs.Record("4")))
                .isInstanceOf(LimitException.class)
                .hasMessage("daily async execution allocation of tenant 'acme' is used up: 3 of 3 executions in the last"
                        + " 24 hours (policy dailyAsyncExecutions); it frees up from 2026-03-02T09:00:00Z, when the"
                        + " executions of the hour from 2026-03-01T09:00:00Z leave the rolling 24 hours");
        assertThatThrownBy(() -> m.enqueueAll(ACME, Collections.nCopies(2, new TestJobs.Record("x")), AsyncOptions.none()))
                .isInstanceOf(LimitException.class);
        assertThat(m.jobs().countByStatus(JobQuery.forTenant(ACME).build()).values().stream().mapToLong(Long::longValue).sum())
                .as("refused enqueues leave no job").isEqualTo(3);

        // A duplicate refused by the store uses none of the allocation either.
        m.tenants().put(ACME, TenantPolicy.DEFAULTS.withDailyAsyncExecutions(5));
        AsyncOptions once = AsyncOptions.builder().duplicateSignature(DuplicateSignature.builder().add("once").build()).build();
        m.enqueue(ACME, new TestJobs.Record("d"), once);
        assertThatThrownBy(() -> m.enqueue(ACME, new TestJobs.Record("d"), once)).isInstanceOf(DuplicateJobException.class);
        m.enqueue(ACME, new TestJobs.Record("5th"));
        m.tenants().put(ACME, TenantPolicy.DEFAULTS.withDailyAsyncExecutions(3));

        // 24 hours after the first hour, its execution has left the window: one more is allowed, then refused again.
        clock.advance(Duration.ofHours(22));   // 2026-03-02T09:15: the 11:00 hour's 4 executions are left
        m.tenants().put(ACME, TenantPolicy.DEFAULTS.withDailyAsyncExecutions(5));
        m.enqueue(ACME, new TestJobs.Record("6"));
        assertThatThrownBy(() -> m.enqueue(ACME, new TestJobs.Record("7"))).isInstanceOf(LimitException.class)
                .hasMessageContaining("used up: 5 of 5").hasMessageContaining("it frees up from 2026-03-02T11:00:00Z");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void eachHourLeavesTheWindowWithExactlyItsOwnExecutions(Db db) {
        MutableClock clock = new MutableClock(Instant.parse("2026-03-01T09:15:00Z"));
        Millrace m = node(builder(db).clock(clock).register(TestJobs.Record.class));
        m.tenants().put(ACME, TenantPolicy.DEFAULTS.withDailyAsyncExecutions(6));
        m.enqueueAll(ACME, Collections.nCopies(2, new TestJobs.Record("9h")), AsyncOptions.none());
        clock.advance(Duration.ofHours(1));   // 10:15
        m.enqueue(ACME, new TestJobs.Record("10h"));
        // A refused duplicate gives its execution back to the hour it was counted in.
        AsyncOptions once = AsyncOptions.builder().duplicateSignature(DuplicateSignature.builder().add("once at 10:00").build()).build();
        m.enqueue(ACME, new TestJobs.Record("10h"), once);
        assertThatThrownBy(() -> m.enqueue(ACME, new TestJobs.Record("10h"), once)).isInstanceOf(DuplicateJobException.class);
        clock.advance(Duration.ofHours(1));   // 11:15
        m.enqueueAll(ACME, Collections.nCopies(2, new TestJobs.Record("11h")), AsyncOptions.none());
        assertThatThrownBy(() -> m.enqueue(ACME, new TestJobs.Record("x"))).isInstanceOf(LimitException.class)
                .hasMessageContaining("used up: 6 of 6");

        clock.advance(Duration.ofHours(21).plusMinutes(45));   // 2026-03-02T09:00: the 09:00 hour left, its 2 are free
        m.enqueueAll(ACME, Collections.nCopies(2, new TestJobs.Record("next day")), AsyncOptions.none());
        assertThatThrownBy(() -> m.enqueue(ACME, new TestJobs.Record("x"))).isInstanceOf(LimitException.class)
                .hasMessageContaining("used up: 6 of 6").hasMessageContaining("frees up from 2026-03-02T10:00:00Z");
        clock.advance(Duration.ofMinutes(90));   // 10:30: the 10:00 hour's 2 left too
        m.enqueueAll(ACME, Collections.nCopies(2, new TestJobs.Record("later")), AsyncOptions.none());
        assertThatThrownBy(() -> m.enqueue(ACME, new TestJobs.Record("x"))).isInstanceOf(LimitException.class)
                .hasMessageContaining("used up: 6 of 6");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void theAllocationIsSharedByTheNodesOfOneDatabase(Db db) {
        MutableClock clock = new MutableClock(Instant.parse("2026-03-01T09:15:00Z"));
        Millrace a = node(builder(db).nodeId("a").clock(clock).register(TestJobs.Record.class));
        Millrace b = node(builder(db).nodeId("b").clock(clock).register(TestJobs.Record.class));
        a.tenants().put(ACME, TenantPolicy.DEFAULTS.withDailyAsyncExecutions(4));
        a.enqueueAll(ACME, Collections.nCopies(3, new TestJobs.Record("a")), AsyncOptions.none());
        clock.advance(Duration.ofSeconds(2));   // a's counts are written at its next enqueue after a second
        a.enqueue(ACME, new TestJobs.Record("a"));
        clock.advance(Duration.ofSeconds(2));
        assertThatThrownBy(() -> b.enqueue(ACME, new TestJobs.Record("b")))
                .isInstanceOf(LimitException.class).hasMessageContaining("used up: 4 of 4");
    }
}
