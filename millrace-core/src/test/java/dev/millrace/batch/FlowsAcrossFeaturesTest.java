package dev.millrace.batch;

import dev.millrace.JobId;
import dev.millrace.JobQuery;
import dev.millrace.JobRecord;
import dev.millrace.JobStatus;
import dev.millrace.JobType;
import dev.millrace.Millrace;
import dev.millrace.Queueable;
import dev.millrace.QueueableContext;
import dev.millrace.TenantId;
import dev.millrace.schedule.Schedulable;
import dev.millrace.schedule.ScheduleContext;
import dev.millrace.schedule.ScheduleId;
import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import dev.millrace.testing.MutableClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** Features used together: a schedule that starts a batch (SCH-2's common pattern), a queueable that starts one. */
class FlowsAcrossFeaturesTest extends DatabaseTest {
    static final TenantId ACME = TenantId.of("acme");
    static final AtomicReference<Millrace> NODE = new AtomicReference<>();

    /** Starts a batch of letters each time it fires. */
    public static class StartsBatch implements Schedulable {
        @Override
        public void execute(ScheduleContext context) {
            NODE.get().executeBatch(ACME, new TestBatches.Letters("sched", 4), 2);
        }
    }

    @BeforeEach
    void resetEvents() {
        TestBatches.reset();
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aScheduleStartsABatchThatRunsAsItsChild(Db db) {
        MutableClock clock = new MutableClock(Instant.parse("2026-03-01T09:00:30Z"));
        Millrace m = node(builder(db).clock(clock).register(StartsBatch.class).register(TestBatches.Letters.class));
        NODE.set(m);
        tenants(m, ACME);
        ScheduleId id = m.schedule(ACME, "nightly", "0 * * * * ?", new StartsBatch(), ZoneOffset.UTC);
        clock.advance(Duration.ofMinutes(1));
        assertThat(m.fireDueSchedules()).isEqualTo(1);
        m.runReadyJobs(ACME, 100);

        JobRecord scheduled = m.jobs().find(ACME, m.schedules().find(ACME, id).orElseThrow().lastJobId()).orElseThrow();
        assertThat(scheduled.status()).isEqualTo(JobStatus.COMPLETED);
        List<JobRecord> batches = m.jobs().find(JobQuery.forTenant(ACME).type(JobType.BATCH).build()).jobs();
        assertThat(batches).singleElement().satisfies(b -> {
            assertThat(b.status()).isEqualTo(JobStatus.COMPLETED);
            assertThat(b.parentJobId()).isEqualTo(scheduled.id());
        });
        assertThat(TestBatches.EVENTS).containsExactly("sched:start", "sched:chunk@100:2", "sched:chunk@100:2", "sched:finish@100");
    }

    /** Starts a batch, then fails. */
    public static class StartsBatchThenFails implements Queueable {
        @Override
        public void execute(QueueableContext context) {
            NODE.get().executeBatch(ACME, new TestBatches.Letters("q", 2), 2);
            throw new IllegalStateException("after the batch");
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aBatchStartedByAQueueableThatFailsIsRolledBackWithIt(Db db) {
        Millrace m = node(builder(db).register(StartsBatchThenFails.class).register(TestBatches.Letters.class));
        NODE.set(m);
        tenants(m, ACME);
        JobId q = m.enqueue(ACME, new StartsBatchThenFails());
        m.runReadyJobs(ACME, 1);
        assertThat(m.jobs().find(ACME, q).orElseThrow().status()).isEqualTo(JobStatus.FAILED);
        assertThat(m.jobs().find(JobQuery.forTenant(ACME).type(JobType.BATCH).build()).jobs()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aBatchStartedInASynchronousExecutionExistsOnlyIfItCommits(Db db) {
        Millrace m = node(builder(db).register(TestBatches.Letters.class));
        tenants(m, ACME);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> m.runSynchronously(ACME, e -> {
            m.executeBatch(ACME, new TestBatches.Letters("rolledBack", 2), 2);
            throw new IllegalStateException("after the batch");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(m.jobs().find(JobQuery.forTenant(ACME).type(JobType.BATCH).build()).jobs()).isEmpty();

        JobId kept = m.runSynchronously(ACME, e -> m.executeBatch(ACME, new TestBatches.Letters("kept", 2), 2));
        assertThat(m.jobs().find(ACME, kept).orElseThrow().status()).isEqualTo(JobStatus.QUEUED);
        m.runReadyJobs(ACME, 5);
        assertThat(m.jobs().find(ACME, kept).orElseThrow().status()).isEqualTo(JobStatus.COMPLETED);
    }

    @org.junit.jupiter.api.Test
    void bindingABatchOrAScheduleToAFlagIsRefusedAsUnsupported() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> Millrace.builder().bindToFlag(TestBatches.Letters.class, "letters"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(TestBatches.Letters.class.getName())
                .hasMessageContaining("expected a queueable or a class of futures");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Millrace.builder().bindToFlag(StartsBatch.class, "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected a queueable or a class of futures");
    }
}
