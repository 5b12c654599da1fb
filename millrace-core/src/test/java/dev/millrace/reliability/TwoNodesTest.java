package dev.millrace.reliability;

import dev.millrace.AsyncOptions;
import dev.millrace.JobId;
import dev.millrace.Millrace;
import dev.millrace.TenantId;
import dev.millrace.reliability.RecordingJobs.RecordRun;
import dev.millrace.reliability.RunsTable.Run;
import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import dev.millrace.testing.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Two nodes in this JVM share one database (one data source) and drain one queue together. */
class TwoNodesTest extends DatabaseTest {
    static final TenantId ACME = TenantId.of("acme");
    static final int JOBS = 3_000;

    @BeforeEach
    void resetSignals() {
        Signals.reset();
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void twoNodesDrainingOneQueueNeverRunTheSameAttempt(Db db) {
        TestDatabase d = database(db);
        Millrace a = started(d.builder().nodeId("a").register(RecordRun.class));
        Millrace b = started(d.builder().nodeId("b").register(RecordRun.class));
        RunsTable runs = RunsTable.create(d);
        tenants(a, ACME);

        List<JobId> ids = b.enqueueAll(ACME, Collections.nCopies(JOBS, new RecordRun(d.schema())), AsyncOptions.none());
        await("every job to complete").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .failFast("a job failed", () -> runs.jobStatuses().containsKey("FAILED"))
                .until(() -> runs.jobStatuses().getOrDefault("COMPLETED", 0L) == JOBS);

        assertThat(runs.jobStatuses()).as("jobs by status").isEqualTo(Map.of("COMPLETED", (long) JOBS));
        assertThat(Signals.attemptsStartedTwice()).as("attempts begun twice").isEmpty();
        assertThat(Signals.attemptsStarted()).as("attempts begun").isEqualTo(JOBS);
        List<Run> all = runs.all();
        assertThat(runs.jobsRecordedMoreThanOnce()).as("jobs whose run committed more than once").isEmpty();
        assertThat(all.stream().map(Run::jobId).collect(Collectors.toSet()))
                .isEqualTo(ids.stream().map(JobId::value).collect(Collectors.toSet()));
        assertThat(runs.countByNode()).as("committed runs by node").containsOnlyKeys("a", "b")
                .allSatisfy((node, n) -> assertThat(n).as("runs on node %s", node).isPositive());
    }
}
