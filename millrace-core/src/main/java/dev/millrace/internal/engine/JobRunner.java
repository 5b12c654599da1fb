package dev.millrace.internal.engine;

import dev.millrace.Finalizer;
import dev.millrace.JobAbortedException;
import dev.millrace.JobError;
import dev.millrace.JobStatus;
import dev.millrace.LogLevel;
import dev.millrace.ParentJobResult;
import dev.millrace.Queueable;
import dev.millrace.TenantPolicy;
import dev.millrace.internal.store.BatchStore;
import dev.millrace.internal.store.ClaimedJob;
import dev.millrace.internal.store.Completion;
import dev.millrace.internal.store.LogRow;
import dev.millrace.internal.store.NewJob;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs one claimed job through its handler, then ends it. A job that did not touch its transaction ends
 * through the batched completion sink; a job that did (its connection, a chained child, a finalizer) ends in
 * that transaction, so its effects, its child and its completion commit together or not at all.
 */
final class JobRunner {
    /** MDC key of the running job's id. */
    static final String MDC_JOB = "millrace.jobId";
    /** MDC key of the running job's tenant. */
    static final String MDC_TENANT = "millrace.tenant";
    private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);

    private record Running(BaseContext context, Thread thread) {
    }

    /** Where the ends of jobs that did not open a transaction go; it reports each end it writes to the core. */
    interface Sink {
        void accept(Completion done, ClaimedJob job);
    }

    private final Core core;
    private final TenantPolicies policies;
    private final Sink sink;
    private final ConcurrentHashMap<UUID, Running> running = new ConcurrentHashMap<>();
    private final BatchRunner batches;

    JobRunner(Core core, TenantPolicies policies, Sink sink, BatchStore batchStore,
              java.util.Map<String, javax.sql.DataSource> batchSources, java.util.concurrent.Semaphore batchCuts) {
        this.core = core;
        this.policies = policies;
        this.sink = sink;
        this.batches = new BatchRunner(core, batchStore, batchSources, batchCuts, () -> interruptingForShutdown);
    }

    // Aborts of jobs claimed by this node but not started yet (prefetched behind busy workers, or claimed ahead of
    // a schedule's fire time): such a job is aborted as it starts, before any user code runs.
    private final java.util.Set<UUID> abortBeforeStart = ConcurrentHashMap.newKeySet();

    /**
     * Asks a job running here to stop at its next safe point; false when it does not run here. A job not running
     * (yet) is remembered, so that it is aborted if it starts here.
     */
    boolean abort(UUID jobId) {
        Running r = running.get(jobId);
        if (r == null) {
            abortBeforeStart.add(jobId);
            // It may have started in between.
            r = running.get(jobId);
            if (r == null) return false;
        }
        r.context().requestAbort();
        r.thread().interrupt();
        return true;
    }

    /**
     * The heartbeat's view of every abort requested for jobs this node holds: the running ones are asked to stop,
     * the others are aborted as they start. Ids no longer requested (ended, or held by another node) are forgotten.
     */
    void abortsRequested(java.util.Set<UUID> jobIds) {
        abortBeforeStart.retainAll(jobIds);
        jobIds.forEach(this::abort);
    }

    private volatile boolean interruptingForShutdown;

    /** The node's shutdown is about to interrupt jobs that outlived its timeout: leave them to be rescued. */
    void interruptingForShutdown() {
        interruptingForShutdown = true;
    }

    void run(ClaimedJob job) {
        BaseContext ctx = null;
        MDC.put(MDC_JOB, job.id().toString());
        MDC.put(MDC_TENANT, job.tenant().value());
        try {
            TenantPolicy policy = policies.get(job.tenant());
            ctx = context(job, policy);
            running.put(job.id(), new Running(ctx, Thread.currentThread()));
            if (abortBeforeStart.remove(job.id())) ctx.requestAbort();
            if (ctx instanceof BatchContextImpl batch) {
                // A batch ends itself: its counters, its chunks and the flex queue move in its last transaction.
                batches.run(batch);
                return;
            }
            Executions.set(ctx);
            ctx.limits().attach();
            core.governance().watchdog.add(ctx.limits());
            core.events().jobStatusChanged(job.tenant(), job.id(), job.type().name(), "QUEUED", "PROCESSING");
            ctx.checkAbort();
            invoke(job, ctx);
            Executions.clear();
            Thread.interrupted();
            // A limit breached is final even if user code caught the exception; CPU and heap are checked once more.
            ctx.limits().checkBreach();
            ctx.limits().checkResourcesAtEnd();
            ctx.checkAbort();
            succeed(job, ctx);
        } catch (Throwable t) {
            Executions.clear();
            Thread.interrupted();
            if (ctx != null && ctx.limits().breach() != null && !(t instanceof dev.millrace.limits.LimitException)) {
                // The watchdog interrupted the job for a limit: the limit is why it failed.
                dev.millrace.limits.LimitException breach = ctx.limits().breach();
                breach.addSuppressed(t);
                t = breach;
            }
            if (interruptingForShutdown && (ctx == null || !ctx.isAbortRequested())) {
                leaveForRescue(job, ctx, t);
                return;
            }
            fail(job, ctx, t);
        } finally {
            dev.millrace.internal.limits.ExecutionLimits.detach();
            if (ctx != null) core.governance().watchdog.remove(ctx.limits());
            running.remove(job.id());
            if (ctx != null) {
                ctx.afterExecution();
                closeQuietly(ctx.openConnection());
                saveLog(ctx);
            }
            MDC.remove(MDC_JOB);
            MDC.remove(MDC_TENANT);
        }
    }

    private BaseContext context(ClaimedJob job, TenantPolicy policy) {
        return switch (job.type()) {
            case FINALIZER -> {
                JobCodec.StoredFinalizer stored = core.codec().readFinalizer(job.payload());
                yield new FinalizerContextImpl(core, job, policy, stored.result(), stored.error());
            }
            case SCHEDULED -> new ScheduleContextImpl(core, job, policy, core.codec().readScheduled(job.payload()));
            case BATCH -> new BatchContextImpl(core, job, policy);
            default -> new QueueableContextImpl(core, job, policy);
        };
    }

    private void invoke(ClaimedJob job, BaseContext ctx) throws Exception {
        switch (job.type()) {
            case QUEUEABLE -> {
                Class<?> type = core.registry().jobClass(job.className());
                Queueable q = (Queueable) core.codec().read(job.payload(), type, "job");
                q.execute((QueueableContextImpl) ctx);
            }
            case FUTURE -> {
                Method m = core.registry().future(job.className(), job.methodName());
                Object[] args = core.codec().readArgs(m, job.payload());
                if (!m.getAnnotation(dev.millrace.Future.class).callout()) {
                    ctx.resources.refuseCallouts("future " + job.className() + "." + job.methodName() + " is declared"
                            + " @Future(callout = false); expected @Future(callout = true) on a future that makes"
                            + " outbound calls (SPEC FUT-3)");
                }
                try {
                    m.invoke(null, args);
                } catch (InvocationTargetException e) {
                    if (e.getCause() instanceof Exception x) throw x;
                    if (e.getCause() instanceof Error err) throw err;
                    throw e;
                }
            }
            case FINALIZER -> {
                Class<?> type = core.registry().jobClass(job.className());
                JobCodec.StoredFinalizer stored = core.codec().readFinalizer(job.payload());
                Finalizer f = (Finalizer) core.codec().read(stored.finalizerJson(), type, "finalizer");
                f.execute((FinalizerContextImpl) ctx);
            }
            case SCHEDULED -> {
                Class<?> type = core.registry().jobClass(job.className());
                String state = core.codec().readScheduled(job.payload()).schedulableJson();
                dev.millrace.schedule.Schedulable s = (dev.millrace.schedule.Schedulable) core.codec().read(state, type, "schedulable");
                s.execute((ScheduleContextImpl) ctx);
            }
            default -> throw new dev.millrace.UnknownJobTypeException("job type " + job.type()
                    + " cannot run on this node yet: expected QUEUEABLE, FUTURE, FINALIZER or SCHEDULED");
        }
    }

    private void succeed(ClaimedJob job, BaseContext ctx) throws Exception {
        Completion done = new Completion(job.id(), job.tenant(), job.attempt(), JobStatus.COMPLETED, ctx.statusText(),
                core.clock().instant());
        Finalizer finalizer = ctx instanceof QueueableContextImpl q ? q.finalizer() : null;
        if (ctx.openConnection() == null && finalizer == null && !ctx.hasPendingEvents() && !ctx.resources.hasBeforeCommit()) {
            saveLog(ctx);
            sink.accept(done, job);
            statusChanged(job, JobStatus.COMPLETED);
            return;
        }
        Connection c = ctx.transaction();
        boolean wake = !ctx.enqueued().isEmpty() || ctx.resources.hasBeforeCommit();
        if (finalizer != null) {
            core.store().insert(c, List.of(finalizerJob(job, ctx, finalizer, ParentJobResult.SUCCESS, null)));
            wake = true;
        }
        // Batches submitted by the job take the tenant's flex-queue lock, and after-commit events their channel's
        // lock: both are written last, so those locks are held only until the commit just below.
        ctx.resources.runBeforeCommit(c);
        if (ctx.hasPendingEvents()) core.events().flush(c, ctx.pendingEvents());
        Set<UUID> accepted = core.store().complete(c, List.of(done));
        if (accepted.isEmpty()) {
            c.rollback();
            leaseLost(job, ctx);
            return;
        }
        saveLog(ctx);
        c.commit();
        core.ended().ended(job, JobStatus.COMPLETED, done.completedAt());
        if (ctx.hasPendingEvents()) core.events().afterCommit(ctx.pendingEvents());
        if (wake) core.wake().run();
        statusChanged(job, JobStatus.COMPLETED);
    }

    /** Tells the event bus (job status channel); a set lookup when no one subscribes. */
    private void statusChanged(ClaimedJob job, JobStatus to) {
        core.events().jobStatusChanged(job.tenant(), job.id(), job.type().name(), JobStatus.PROCESSING.name(), to.name());
    }

    private void fail(ClaimedJob job, BaseContext ctx, Throwable t) {
        rollback(ctx, t);
        boolean aborted = t instanceof JobAbortedException || (ctx != null && ctx.isAbortRequested());
        JobStatus status = aborted ? JobStatus.ABORTED : JobStatus.FAILED;
        JobError error = JobError.of(t);
        String summary = aborted ? "aborted while running" : error.summary();
        if (ctx != null && ctx.statusText() != null) summary = ctx.statusText() + ": " + summary;
        if (job.type() == dev.millrace.JobType.FINALIZER && !aborted && job.parentId() != null) {
            // A finalizer's failure is reported on its parent job; it never re-runs anything.
            logOn(ctx, job, job.parentId(), LogLevel.ERROR, "finalizer " + job.className() + " failed: " + summary, error);
        }
        logOn(ctx, job, job.id(), aborted ? LogLevel.WARN : LogLevel.ERROR,
                (aborted ? "job aborted: " : "job failed: ") + summary, error);
        Completion done = new Completion(job.id(), job.tenant(), job.attempt(), status, summary, core.clock().instant());
        Finalizer finalizer = ctx instanceof QueueableContextImpl q ? q.finalizer() : null;
        statusChanged(job, status);
        if (finalizer == null) {
            saveLog(ctx);
            sink.accept(done, job);
            return;
        }
        NewJob finalizerJob;
        try {
            finalizerJob = finalizerJob(job, ctx, finalizer, ParentJobResult.UNHANDLED_EXCEPTION, error);
        } catch (RuntimeException e) {
            logOn(ctx, job, job.id(), LogLevel.ERROR, "finalizer " + finalizer.getClass().getName()
                    + " could not be stored and will not run: " + e.getMessage(), JobError.of(e));
            saveLog(ctx);
            sink.accept(done, job);
            return;
        }
        try (Connection c = core.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try {
                if (core.store().complete(c, List.of(done)).isEmpty()) {
                    c.rollback();
                    leaseLost(job, ctx);
                    return;
                }
                core.store().insert(c, List.of(finalizerJob));
                saveLog(ctx);
                c.commit();
                core.ended().ended(job, status, done.completedAt());
            } catch (RuntimeException | SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
            core.wake().run();
        } catch (SQLException | RuntimeException e) {
            // The lease will expire and the job will be rescued: at least once, never lost.
            LOG.error("could not record the failure of job {}; it will be rescued when its lease expires", job.id(), e);
        }
    }

    /** Rolls back the execution's transaction, if it opened one; a failure to do so is kept with the cause. */
    private static void rollback(BaseContext ctx, Throwable cause) {
        if (ctx == null || ctx.openConnection() == null) return;
        try {
            ctx.openConnection().rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    private void leaveForRescue(ClaimedJob job, BaseContext ctx, Throwable t) {
        rollback(ctx, t);
        String message = "attempt " + job.attempt() + " interrupted by the shutdown of node " + core.nodeId()
                + " (" + t + "); rolled back, to be rescued when its lease expires";
        LOG.warn("job {}: {}", job.id(), message);
        if (ctx != null) ctx.logger.add(LogLevel.WARN, message, null);
    }

    private NewJob finalizerJob(ClaimedJob job, BaseContext ctx, Finalizer finalizer, ParentJobResult result,
                                JobError error) {
        String state = core.codec().write(finalizer, "finalizer");
        int failures = result == ParentJobResult.UNHANDLED_EXCEPTION ? job.consecutiveFailures() + 1 : 0;
        return core.enqueuer().finalizer(job.tenant(), finalizer.getClass().getName(),
                core.codec().writeFinalizer(state, result, error), job.id(), job.stackDepth(), job.maxStackDepth(),
                ctx.logger.transactionId(), failures);
    }

    private void leaseLost(ClaimedJob job, BaseContext ctx) {
        String message = "completion of attempt " + job.attempt() + " rejected: its lease expired and another attempt"
                + " owns the job; this attempt's work was rolled back";
        LOG.warn("job {}: {}", job.id(), message);
        ctx.logger.add(LogLevel.WARN, message, null);
    }

    /** Saves the execution's log; done before the completion is written, so a job seen ended has its log. */
    private static void saveLog(BaseContext ctx) {
        if (ctx == null) return;
        try {
            ctx.logger.saveLog();
        } catch (RuntimeException e) {
            LOG.warn("could not save the log of job {}: {}", ctx.jobId(), e.getMessage());
        }
    }

    private void logOn(BaseContext ctx, ClaimedJob job, UUID target, LogLevel level, String message, JobError error) {
        if (ctx != null) {
            ctx.logger.addFor(target, level, message, error);
            return;
        }
        try {
            core.store().appendLog(List.of(new LogRow(target, job.tenant(), core.clock().instant(), level, message, null,
                    job.id() + "/" + job.attempt(), null, error)));
        } catch (RuntimeException e) {
            LOG.warn("could not save the log of job {}: {}", job.id(), e.getMessage());
        }
    }

    private static void closeQuietly(Connection c) {
        if (c == null) return;
        try {
            if (!c.getAutoCommit()) {
                c.rollback();
                c.setAutoCommit(true);
            }
            c.close();
        } catch (SQLException e) {
            LOG.debug("closing a job connection failed", e);
        }
    }
}
