package dev.millrace.batch;

import dev.millrace.JobQuery;
import dev.millrace.Millrace;
import dev.millrace.TenantId;
import dev.millrace.TenantPolicy;
import dev.millrace.limits.LimitException;
import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import dev.millrace.testing.MutableClock;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A batch is an async execution of the daily allocation (LIM-6) like a queueable: refused beyond it. */
class BatchAllocationTest extends DatabaseTest {
    static final TenantId ACME = TenantId.of("acme");

    @ParameterizedTest
    @EnumSource(Db.class)
    void aBatchBeyondTheDailyAllocationIsRefusedAndNothingIsSubmitted(Db db) {
        MutableClock clock = new MutableClock(Instant.parse("2026-03-01T09:15:00Z"));
        Millrace m = node(builder(db).clock(clock).register(TestBatches.Letters.class));
        m.tenants().put(ACME, TenantPolicy.DEFAULTS.withDailyAsyncExecutions(2));
        m.executeBatch(ACME, new TestBatches.Letters("a", 3));
        m.executeBatch(ACME, new TestBatches.Letters("b", 3));
        assertThatThrownBy(() -> m.executeBatch(ACME, new TestBatches.Letters("c", 3)))
                .isInstanceOf(LimitException.class)
                .hasMessageContaining("daily async execution allocation of tenant 'acme' is used up: 2 of 2");
        assertThat(m.jobs().countByStatus(JobQuery.forTenant(ACME).build()).values().stream().mapToLong(Long::longValue).sum())
                .as("the refused batch left no job").isEqualTo(2);
    }
}
