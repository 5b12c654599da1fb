package dev.millrace.test;

import dev.millrace.JobId;
import dev.millrace.JobRecord;
import dev.millrace.JobStatus;
import dev.millrace.JobType;
import dev.millrace.Millrace;
import dev.millrace.TenantId;
import dev.millrace.step.StepWorkflow;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What {@link AsyncTest#stopTest()} does: runs the work enqueued since {@code startTest}, and what that work
 * chains up to the chain depth, one job at a time on the calling thread, through the real executor.
 *
 * <p>Each job gets a <em>level</em>: 0 for work enqueued between {@code startTest} and {@code stopTest}; a
 * job's chained child or future is one level deeper than the job; a finalizer shares its job's level (it is
 * part of that job), so the retry it enqueues is one level deeper, like a chained child. A job runs when its
 * level is at most the chain depth. Jobs that appear without a parent that ran here stay queued. The executions of
 * a {@link StepWorkflow} all share the level of its first: stopTest runs a workflow to its end; and the
 * batch a {@code scheduleBatch} schedule submits shares the schedule's level.
 */
final class StopTestRun {
    private final Millrace millrace;
    private final TenantId tenant;
    private final TestClock clock;
    private final JobTable table;
    private final int chainDepth;
    private final int maxJobs;
    private final Map<JobId, Integer> levels = new HashMap<>();

    StopTestRun(Millrace millrace, TenantId tenant, TestClock clock, JobTable table, int chainDepth, int maxJobs) {
        this.millrace = millrace;
        this.tenant = tenant;
        this.clock = clock;
        this.table = table;
        this.chainDepth = chainDepth;
        this.maxJobs = maxJobs;
    }

    /**
     * Runs the work.
     *
     * @param queuedAtStart the ids of the jobs that were already waiting at {@code startTest}: they stay queued
     * @return the jobs it ran, in the order they ran, as they are now
     */
    List<JobRecord> run(Set<JobId> queuedAtStart) {
        for (JobRecord job : table.waiting()) {
            if (!queuedAtStart.contains(job.id())) levels.put(job.id(), 0);
        }
        List<JobId> ran = new ArrayList<>();
        JobRecord next;
        while ((next = next()) != null) {
            if (ran.size() == maxJobs) {
                throw new IllegalStateException("stopTest ran " + maxJobs + " jobs and job " + next.id() + " ("
                        + next.className() + ", level " + levels.get(next.id()) + ") is still waiting: expected at most "
                        + maxJobs + " jobs per stopTest; does a chain or finalizer retry never end? (runChainedJobs is "
                        + chainDepth + ")");
            }
            runOne(next);
            ran.add(next.id());
        }
        return ran.stream().map(table::job).toList();
    }

    /** The oldest waiting job whose level allows it to run, or null. */
    private JobRecord next() {
        for (JobRecord job : table.waiting()) {
            Integer level = levelOf(job);
            if (level != null && level <= chainDepth) return job;
        }
        return null;
    }

    private Integer levelOf(JobRecord job) {
        Integer known = levels.get(job.id());
        if (known != null || job.parentJobId() == null) return known;
        Integer parent = levels.get(job.parentJobId());
        if (parent == null) return null;
        int level = job.type() == JobType.FINALIZER || isNextStep(job) || isScheduledBatch(job) ? parent : parent + 1;
        levels.put(job.id(), level);
        return level;
    }

    /**
     * Whether the job is the next execution of a step workflow, enqueued by the previous execution's finalizer: a
     * workflow is one piece of work, so all its steps run at the level it was started at.
     */
    private boolean isNextStep(JobRecord job) {
        if (!STEP_WORKFLOW.equals(job.className())) return false;
        JobRecord parent = table.job(job.parentJobId());
        return parent.type() == JobType.FINALIZER && STEP_WORKFLOW.equals(parent.className());
    }

    private static final String STEP_WORKFLOW = StepWorkflow.class.getName();

    /**
     * Whether the job is the batch a {@code scheduleBatch} schedule submitted when it ran: that schedule's work is
     * the batch, so it runs at the schedule's level, even with {@code runChainedJobs(0)} (SPEC TEST-7).
     */
    private boolean isScheduledBatch(JobRecord job) {
        if (job.type() != JobType.BATCH) return false;
        JobRecord parent = table.job(job.parentJobId());
        return parent.type() == JobType.SCHEDULED && BATCH_LAUNCHER.equals(parent.className());
    }

    /** The schedulable a {@code scheduleBatch} schedule runs (internal to the core, so named, not referenced). */
    private static final String BATCH_LAUNCHER = "dev.millrace.internal.engine.BatchLauncher";

    private void runOne(JobRecord job) {
        // Salesforce runs async work at stopTest whatever its delay: here the clock moves on as if it had passed.
        if (job.runAt().isAfter(clock.instant())) clock.set(job.runAt());
        Instant now = clock.instant();
        boolean ran = millrace.runJob(tenant, job.id());
        JobRecord after = table.job(job.id());
        if (!ran || after.status() == JobStatus.QUEUED) {
            throw new IllegalStateException("stopTest expected to run job " + job.id() + " (" + job.className()
                    + ", run at " + job.runAt() + ", clock " + now + ") but it is " + after.status()
                    + ": expected it claimed and run; is the node started?");
        }
    }
}
