package dev.millrace.internal.engine;

import dev.millrace.JobStatus;
import dev.millrace.JobType;
import dev.millrace.TenantId;
import dev.millrace.monitoring.EndedJob;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The node's bounded memory of ended jobs: kept from the first take, dropped and counted past its capacity. */
class EndedJobsTest {
    static final TenantId ACME = TenantId.of("acme");
    static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

    private static void end(EndedJobs ended, int second) {
        ended.ended(ACME, JobType.QUEUEABLE, JobStatus.COMPLETED, T0, T0.plusSeconds(1), T0.plusSeconds(second));
    }

    @Test
    void endsBeforeTheFirstTakeAreNotKeptNorCountedAsDropped() {
        EndedJobs ended = new EndedJobs(2);
        for (int i = 0; i < 5; i++) end(ended, 2);
        List<EndedJob> out = new ArrayList<>();
        assertThat(ended.take(out::add)).isZero();
        assertThat(out).isEmpty();
    }

    @Test
    void endsPastTheCapacityAreDroppedAndCountedUntilTheNextTake() {
        EndedJobs ended = new EndedJobs(2);
        ended.take(j -> { });
        end(ended, 2);
        end(ended, 3);
        end(ended, 4);
        end(ended, 5);
        List<EndedJob> out = new ArrayList<>();
        assertThat(ended.take(out::add)).as("dropped").isEqualTo(2);
        assertThat(out).containsExactly(
                new EndedJob(ACME, JobType.QUEUEABLE, JobStatus.COMPLETED, Duration.ofSeconds(1), Duration.ofSeconds(1),
                        T0.plusSeconds(2)),
                new EndedJob(ACME, JobType.QUEUEABLE, JobStatus.COMPLETED, Duration.ofSeconds(1), Duration.ofSeconds(2),
                        T0.plusSeconds(3)));
        // The take made room again, and the count started over.
        end(ended, 6);
        out.clear();
        assertThat(ended.take(out::add)).isZero();
        assertThat(out).extracting(EndedJob::completedAt).containsExactly(T0.plusSeconds(6));
    }

    @Test
    void aJobThatNeverStartedHasNoWaitOrRunTimeAndClockSkewIsNotNegative() {
        EndedJobs ended = new EndedJobs(4);
        ended.take(j -> { });
        ended.ended(ACME, JobType.BATCH, JobStatus.ABORTED, null, null, T0);
        ended.ended(ACME, JobType.QUEUEABLE, JobStatus.COMPLETED, T0.plusSeconds(5), T0.plusSeconds(1), T0);
        List<EndedJob> out = new ArrayList<>();
        ended.take(out::add);
        assertThat(out).containsExactly(new EndedJob(ACME, JobType.BATCH, JobStatus.ABORTED, null, null, T0),
                new EndedJob(ACME, JobType.QUEUEABLE, JobStatus.COMPLETED, Duration.ZERO, Duration.ZERO, T0));
    }

    @Test
    void aCapacityBelowOneIsRefused() {
        assertThatThrownBy(() -> new EndedJobs(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("capacity 0 is out of range");
    }
}
