package dev.millrace.server.cli;

import dev.millrace.JobRecord;
import dev.millrace.JobStatus;
import dev.millrace.TenantId;

import java.time.Instant;
import java.util.List;

/**
 * How many of a run's jobs exist and how far they got, at one moment.
 *
 * @param total the run's jobs that exist
 * @param ended those in a terminal status
 * @param failed those that ended {@code FAILED}
 * @param running those {@code PROCESSING} (or {@code PREPARING})
 */
record Census(int total, int ended, int failed, int running) {

    /** Jobs not ended yet: waiting or running. */
    int active() {
        return total - ended;
    }

    /** Counts the run's jobs among the jobs of these tenants created at or after {@code since}. */
    static Census take(JobScan scan, List<TenantId> tenants, Instant since, RunLineage lineage) {
        int total = 0;
        int ended = 0;
        int failed = 0;
        int running = 0;
        for (TenantId t : tenants) {
            for (JobRecord job : lineage.select(scan.listSince(t, since))) {
                total++;
                JobStatus s = job.status();
                if (s.isTerminal()) ended++;
                if (s == JobStatus.FAILED) failed++;
                if (s == JobStatus.PROCESSING || s == JobStatus.PREPARING) running++;
            }
        }
        return new Census(total, ended, failed, running);
    }
}
