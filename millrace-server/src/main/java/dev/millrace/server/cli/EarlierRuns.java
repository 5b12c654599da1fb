package dev.millrace.server.cli;

import dev.millrace.JobRecord;
import dev.millrace.TenantId;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What the store holds from before this run: the evidence that jobs outlive the process that ran them.
 * Each demo run is its own node with an id starting {@value #NODE_PREFIX}, so the distinct node ids on the
 * earlier jobs count the runs that processed them.
 *
 * @param jobs jobs of the demo's tenants created before this run
 * @param unfinished those of them that had not ended (an interrupted run); a started node runs them too
 * @param runs earlier demo runs that processed any of them
 * @param first when the oldest of them was created, or null when there are none
 */
record EarlierRuns(int jobs, int unfinished, int runs, Instant first) {
    /** The prefix of every demo node's id. */
    static final String NODE_PREFIX = "demo-";

    /** Reads the jobs of these tenants created before {@code before}, ignoring what node {@code self} ran. */
    static EarlierRuns scan(JobScan scan, List<TenantId> tenants, Instant before, String self) {
        int[] n = new int[2];
        Set<String> nodes = new HashSet<>();
        Instant[] first = {null};
        for (TenantId t : tenants) {
            scan.forEach(t, null, before, (JobRecord job) -> {
                n[0]++;
                if (!job.status().isTerminal()) n[1]++;
                if (job.node() != null && job.node().startsWith(NODE_PREFIX) && !job.node().equals(self)) {
                    nodes.add(job.node());
                }
                if (first[0] == null || job.createdAt().isBefore(first[0])) first[0] = job.createdAt();
            });
        }
        return new EarlierRuns(n[0], n[1], nodes.size(), first[0]);
    }
}
