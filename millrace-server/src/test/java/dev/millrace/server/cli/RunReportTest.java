package dev.millrace.server.cli;

import dev.millrace.JobId;
import dev.millrace.JobRecord;
import dev.millrace.JobStatus;
import dev.millrace.JobType;
import dev.millrace.TenantId;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class RunReportTest {
    static final TenantId ACME = TenantId.of("acme");
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    static JobRecord job(JobType type, JobStatus status, JobId parent, long readyMs, long startMs, long endMs,
                         String error) {
        return new JobRecord(JobId.of(UUID.randomUUID()), ACME, type, "com.example.Job", null, status, error,
                error == null ? 0 : 1, 1, 1, parent, 1, null, 1, "demo-1", T0.plusMillis(readyMs),
                T0.plusMillis(readyMs), T0.plusMillis(startMs), T0.plusMillis(endMs));
    }

    @Test
    void waitIsFromReadyToStartedAndPercentilesAreNearestRank() {
        List<JobRecord> jobs = new ArrayList<>();
        for (int i = 1; i <= 100; i++) jobs.add(job(JobType.QUEUEABLE, JobStatus.COMPLETED, null, 0, i, 1_000, null));

        RunReport.Row row = RunReport.Row.of("acme", jobs);

        assertThat(row.waitP50()).isEqualTo(Duration.ofMillis(50));
        assertThat(row.waitP99()).isEqualTo(Duration.ofMillis(99));
        // 100 jobs ended within the second after the first was created.
        assertThat(row.jobsPerSecond()).isEqualTo(100.0);
    }

    @Test
    void lineageTellsRootsChildrenFuturesFinalizersAndRetriesApart() {
        JobRecord root = job(JobType.QUEUEABLE, JobStatus.FAILED, null, 0, 1, 2, "x.Boom: no");
        JobRecord finalizer = job(JobType.FINALIZER, JobStatus.COMPLETED, root.id(), 2, 3, 4, null);
        JobRecord retry = job(JobType.QUEUEABLE, JobStatus.COMPLETED, finalizer.id(), 4, 5, 6, null);
        JobRecord child = job(JobType.QUEUEABLE, JobStatus.COMPLETED, retry.id(), 6, 7, 8, null);
        JobRecord future = job(JobType.FUTURE, JobStatus.COMPLETED, retry.id(), 6, 7, 8, null);
        Map<TenantId, List<JobRecord>> byTenant = new LinkedHashMap<>();
        byTenant.put(ACME, List.of(root, finalizer, retry, child, future));

        RunReport report = new RunReport(byTenant);

        assertThat(report.lineage()).isEqualTo("1 enqueued by the demo, 1 chained by queueables, 1 futures called by"
                + " jobs, 1 finalizers, 1 retries enqueued by finalizers");
        assertThat(report.failures()).containsExactly("Job ×1 (acme 1): Boom: no");
        assertThat(report.statusTable()).containsPattern("(?m)^  acme\\s+5\\s+0\\s+0\\s+4\\s+1\\s+0\\s");
    }

    @Test
    void errorTextsLoseTheirPackageNames() {
        assertThat(RunReport.shortenClassNames("java.lang.IllegalStateException: target sftp://a.b.example/x is gone"))
                .isEqualTo("IllegalStateException: target sftp://a.b.example/x is gone");
        assertThat(RunReport.shortenClassNames("dev.millrace.examples.demo.SyncPayments$GatewayTimeoutException: late"))
                .isEqualTo("SyncPayments$GatewayTimeoutException: late");
    }

    @Test
    void durationsReadLikeAPersonWouldSayThem() {
        assertThat(RunReport.duration(Duration.ofMillis(12))).isEqualTo("12 ms");
        assertThat(RunReport.duration(Duration.ofMillis(1_440))).isEqualTo("1.4 s");
        assertThat(RunReport.duration(Duration.ofSeconds(125))).isEqualTo("2m 05s");
        assertThat(RunReport.duration(null)).isEqualTo("-");
    }
}
