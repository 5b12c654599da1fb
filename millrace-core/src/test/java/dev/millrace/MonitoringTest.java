package dev.millrace;

import dev.millrace.monitoring.EndedJob;
import dev.millrace.monitoring.JobCount;
import dev.millrace.monitoring.MinuteCount;
import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import dev.millrace.testing.MutableClock;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MonitoringTest extends DatabaseTest {
    private static final TenantId ACME = TenantId.of("acme");
    private static final TenantId GLOBEX = TenantId.of("globex");

    /** Does nothing. */
    public record Noop() implements Queueable {
        @Override
        public void execute(QueueableContext context) {
        }
    }

    /** Always fails. */
    public record Boom() implements Queueable {
        @Override
        public void execute(QueueableContext context) {
            throw new IllegalStateException("boom");
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void censusCountsByTenantTypeAndStatusAndEndsAreBucketedPerMinute(Db db) {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-24T10:00:10Z"));
        Millrace m = node(builder(db).clock(clock).nodeId("n1").register(Noop.class).register(Boom.class));
        tenants(m, ACME, GLOBEX);
        m.enqueue(ACME, new Noop());
        m.enqueue(ACME, new Boom());
        clock.advance(Duration.ofSeconds(5));
        assertThat(m.runReadyJobs(ACME, 10)).isEqualTo(2);       // ended at 10:00:15
        clock.advance(Duration.ofMinutes(1));
        m.enqueue(ACME, new Noop());
        m.enqueue(GLOBEX, new Noop());
        m.runReadyJobs(ACME, 10);                                  // ended at 10:01:15
        m.enqueue(GLOBEX, new Noop());                             // still queued

        assertThat(m.monitoring().census()).containsExactlyInAnyOrder(
                new JobCount(ACME, JobType.QUEUEABLE, JobStatus.COMPLETED, 2),
                new JobCount(ACME, JobType.QUEUEABLE, JobStatus.FAILED, 1),
                new JobCount(GLOBEX, JobType.QUEUEABLE, JobStatus.QUEUED, 2));
        Instant ten = Instant.parse("2026-11-24T10:00:00Z");
        assertThat(m.monitoring().endedPerMinute(null, ten, ten.plus(Duration.ofMinutes(5)))).containsExactly(
                new MinuteCount(ten, ACME, JobStatus.COMPLETED, 1),
                new MinuteCount(ten, ACME, JobStatus.FAILED, 1),
                new MinuteCount(ten.plus(Duration.ofMinutes(1)), ACME, JobStatus.COMPLETED, 1));
        assertThat(m.monitoring().endedPerMinute(GLOBEX, ten, ten.plus(Duration.ofMinutes(5)))).isEmpty();
        assertThat(m.monitoring().endedPerMinute(ACME, ten.plus(Duration.ofMinutes(1)), ten.plus(Duration.ofMinutes(2))))
                .extracting(MinuteCount::count).containsExactly(1L);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void endedOnNodeGivesWaitAndRunTimesOfThatNodesJobsInARange(Db db) {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-24T10:00:00Z"));
        Millrace m = node(builder(db).clock(clock).nodeId("n1").register(Noop.class));
        tenants(m, ACME);
        m.enqueue(ACME, new Noop());
        clock.advance(Duration.ofSeconds(3));
        m.runReadyJobs(ACME, 1);

        List<EndedJob> ended = m.monitoring().endedOnNode("n1", Instant.parse("2026-11-24T09:00:00Z"),
                Instant.parse("2026-11-24T11:00:00Z"), 10);
        assertThat(ended).singleElement().satisfies(j -> {
            assertThat(j.tenant()).isEqualTo(ACME);
            assertThat(j.status()).isEqualTo(JobStatus.COMPLETED);
            assertThat(j.waited()).isEqualTo(Duration.ofSeconds(3));
            assertThat(j.ran()).isEqualTo(Duration.ZERO);
        });
        assertThat(m.monitoring().endedOnNode("other", Instant.EPOCH, Instant.parse("2030-01-01T00:00:00Z"), 10)).isEmpty();
        assertThat(m.monitoring().endedOnNode("n1", clock.instant(), clock.instant().plusSeconds(60), 10)).isEmpty();
        assertThatThrownBy(() -> m.monitoring().endedOnNode("n1", clock.instant(), Instant.EPOCH, 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("before its start");
        m.monitoring().checkStore();
    }
}
