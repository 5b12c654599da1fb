package dev.millrace.server.cli;

import dev.millrace.JobStatus;
import dev.millrace.TenantId;

import java.time.Instant;
import java.util.List;

/**
 * How many of a run's jobs exist and how far they got, at one moment.
 *
 * @param total jobs created since the run began
 * @param ended jobs in a terminal status
 * @param failed jobs that ended {@code FAILED}
 * @param running jobs {@code PROCESSING} (or {@code PREPARING})
 */
record Census(int total, int ended, int failed, int running) {

    /** Jobs not ended yet: waiting or running. */
    int active() {
        return total - ended;
    }

    /** Counts the jobs of these tenants created at or after {@code since}. */
    static Census take(JobScan scan, List<TenantId> tenants, Instant since) {
        int[] n = new int[4];
        for (TenantId t : tenants) {
            scan.forEachSince(t, since, job -> {
                n[0]++;
                JobStatus s = job.status();
                if (s.isTerminal()) n[1]++;
                if (s == JobStatus.FAILED) n[2]++;
                if (s == JobStatus.PROCESSING || s == JobStatus.PREPARING) n[3]++;
            });
        }
        return new Census(n[0], n[1], n[2], n[3]);
    }
}
