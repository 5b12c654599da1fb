package dev.millrace.server.cli;

import dev.millrace.JobRecord;
import dev.millrace.JobStatus;
import dev.millrace.TenantId;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What the store holds besides this run's jobs: the evidence that jobs outlive the process that ran them.
 * Each demo run is its own node with an id starting {@value #NODE_PREFIX}, so the distinct node ids on
 * those jobs count the earlier runs that processed them.
 *
 * @param jobs jobs of the demo's tenants that are not this run's
 * @param unfinished those of them that have not ended and are not held (left by an interrupted run); a started
 *                   node runs them
 * @param held those of them waiting HOLDING (a feature flag that is off, or the flex queue)
 * @param runs earlier demo runs that processed any of them
 * @param first when the oldest of them was created, or null when there are none
 */
record EarlierRuns(int jobs, int unfinished, int held, int runs, Instant first) {
    /** The prefix of every demo node's id. */
    static final String NODE_PREFIX = "demo-";

    /**
     * Reads every job of these tenants and keeps those that are not this run's.
     *
     * @param thisRun which jobs are this run's (none, before it enqueues anything)
     * @param self this run's node, whose id on an earlier job only means it finished that job
     */
    static EarlierRuns scan(JobScan scan, List<TenantId> tenants, Predicate<JobRecord> thisRun, String self) {
        int jobs = 0;
        int unfinished = 0;
        int held = 0;
        Set<String> nodes = new HashSet<>();
        Instant first = null;
        for (TenantId t : tenants) {
            for (JobRecord job : scan.list(t)) {
                if (thisRun.test(job)) continue;
                jobs++;
                if (job.status() == JobStatus.HOLDING) held++;
                else if (!job.status().isTerminal()) unfinished++;
                if (job.node() != null && job.node().startsWith(NODE_PREFIX) && !job.node().equals(self)) {
                    nodes.add(job.node());
                }
                if (first == null || job.createdAt().isBefore(first)) first = job.createdAt();
            }
        }
        return new EarlierRuns(jobs, unfinished, held, nodes.size(), first);
    }
}
