package dev.millrace.server.cli;

import dev.millrace.JobId;
import dev.millrace.JobRecord;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which jobs belong to a run: the ones it enqueued (its roots) and everything descended from them through
 * parent links (chained children, futures called by jobs, finalizers, retries).
 *
 * <p>Creation time alone cannot tell: a store may hold unfinished jobs of an earlier, interrupted run, which
 * this run's node also executes, and their children are created during this run; on a shared database
 * another node may be enqueueing for the same tenants at the same moment. Lineage is exact in both cases.
 */
final class RunLineage {
    private final Set<JobId> roots = ConcurrentHashMap.newKeySet();

    /** Records a job this run enqueued itself; safe to call while another thread counts. */
    void addRoot(JobId id) {
        roots.add(id);
    }

    /**
     * The run's jobs among these, in the order given. The candidates must include every job created since
     * the run began (descendants are never older than their root), and may include others.
     */
    List<JobRecord> select(Collection<JobRecord> candidates) {
        Map<JobId, List<JobRecord>> children = new HashMap<>();
        Deque<JobRecord> frontier = new ArrayDeque<>();
        for (JobRecord j : candidates) {
            if (roots.contains(j.id())) frontier.add(j);
            else if (j.parentJobId() != null) children.computeIfAbsent(j.parentJobId(), k -> new ArrayList<>()).add(j);
        }
        // Walk down from the roots rather than relying on id order: ids made on different nodes' clocks may
        // put a child before its parent.
        Set<JobId> ours = new HashSet<>();
        while (!frontier.isEmpty()) {
            JobRecord j = frontier.removeFirst();
            if (!ours.add(j.id())) continue;
            frontier.addAll(children.getOrDefault(j.id(), List.of()));
        }
        List<JobRecord> out = new ArrayList<>(ours.size());
        for (JobRecord j : candidates) {
            if (ours.contains(j.id())) out.add(j);
        }
        return out;
    }
}
