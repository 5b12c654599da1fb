package dev.millrace.server.metrics;

import dev.millrace.JobId;
import dev.millrace.JobStatus;
import dev.millrace.JobType;
import dev.millrace.Millrace;
import dev.millrace.Queueable;
import dev.millrace.QueueableContext;
import dev.millrace.TenantId;
import dev.millrace.monitoring.EndedJob;
import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** This node's ended jobs in the metrics: wait and run timers and the ended counter, taken from the node's memory. */
class ServerMetricsTest extends DatabaseTest {
    static final TenantId ACME = TenantId.of("acme");

    /** Does nothing. */
    public static class Ok implements Queueable {
        @Override
        public void execute(QueueableContext context) {
        }
    }

    /** Always fails. */
    public static class Boom implements Queueable {
        @Override
        public void execute(QueueableContext context) {
            throw new IllegalStateException("boom");
        }
    }

    /** The value of the scraped sample named exactly {@code series} (name and labels), or null when absent. */
    private static Double value(ServerMetrics metrics, String series) {
        for (String line : metrics.registry().scrape().split("\n")) {
            if (line.startsWith(series + " ")) return Double.parseDouble(line.substring(series.length() + 1).trim());
        }
        return null;
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void waitAndRunTimersCountEachJobThisNodeEnded(Db db) {
        Millrace m = started(builder(db).register(Ok.class).register(Boom.class));
        m.tenants().create(ACME);
        ServerMetrics metrics = closeAfter(new ServerMetrics(m, Duration.ofMinutes(10)));
        List<JobId> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) ids.add(m.enqueue(ACME, new Ok()));
        for (int i = 0; i < 2; i++) ids.add(m.enqueue(ACME, new Boom()));

        String lane = "{tenant=\"acme\",type=\"QUEUEABLE\"}";
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            metrics.sample();
            assertThat(value(metrics, "millrace_job_wait_seconds_count" + lane)).isEqualTo(5.0);
            assertThat(value(metrics, "millrace_job_run_seconds_count" + lane)).isEqualTo(5.0);
            assertThat(value(metrics, "millrace_jobs_ended_total{status=\"COMPLETED\",tenant=\"acme\",type=\"QUEUEABLE\"}"))
                    .isEqualTo(3.0);
            assertThat(value(metrics, "millrace_jobs_ended_total{status=\"FAILED\",tenant=\"acme\",type=\"QUEUEABLE\"}"))
                    .isEqualTo(2.0);
        });
        for (JobId id : ids) assertThat(m.jobs().find(ACME, id).orElseThrow().status().isTerminal()).isTrue();
        metrics.sample();
        assertThat(value(metrics, "millrace_job_run_seconds_count" + lane)).as("each end is counted once").isEqualTo(5.0);
        assertThat(value(metrics, "millrace_jobs_ended_dropped_total")).isZero();
    }

    @Test
    void endsTheNodeDroppedAreCountedBesideTheOnesTimed() {
        Millrace m = node(builder(Db.H2));
        Instant at = Instant.parse("2026-11-25T10:00:00Z");
        EndedJob done = new EndedJob(ACME, JobType.QUEUEABLE, JobStatus.COMPLETED, Duration.ofSeconds(2),
                Duration.ofMillis(250), at);
        List<Long> drops = new ArrayList<>(List.of(0L, 7L, 0L));
        ServerMetrics metrics = closeAfter(new ServerMetrics(m, Duration.ofMinutes(10), sink -> {
            sink.accept(done);
            return drops.remove(0);
        }));
        // The constructor's take armed the node's memory (and its end is left out: ends before the metrics began).
        metrics.takeEnded();
        metrics.takeEnded();

        String lane = "{tenant=\"acme\",type=\"QUEUEABLE\"}";
        assertThat(value(metrics, "millrace_jobs_ended_dropped_total")).isEqualTo(7.0);
        assertThat(value(metrics, "millrace_job_run_seconds_count" + lane)).isEqualTo(2.0);
        assertThat(value(metrics, "millrace_job_run_seconds_sum" + lane)).isEqualTo(0.5);
        assertThat(value(metrics, "millrace_job_wait_seconds_sum" + lane)).isEqualTo(4.0);
    }
}
