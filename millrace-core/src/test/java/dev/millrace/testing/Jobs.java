package dev.millrace.testing;

import dev.millrace.JobId;
import dev.millrace.JobRecord;
import dev.millrace.JobStatus;
import dev.millrace.Millrace;
import dev.millrace.TenantId;

import java.time.Duration;

import static org.awaitility.Awaitility.await;

/** Waiting for jobs in tests, by polling the real job table. */
public final class Jobs {
    private Jobs() {
    }

    /** Waits until the job reaches a terminal status and returns its record. */
    public static JobRecord awaitTerminal(Millrace m, TenantId tenant, JobId id) {
        return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                .until(() -> m.jobs().find(tenant, id).orElseThrow(), j -> j.status().isTerminal());
    }

    /** Waits until the job has this status. */
    public static JobRecord awaitStatus(Millrace m, TenantId tenant, JobId id, JobStatus status) {
        return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                .until(() -> m.jobs().find(tenant, id).orElseThrow(), j -> j.status() == status);
    }
}
