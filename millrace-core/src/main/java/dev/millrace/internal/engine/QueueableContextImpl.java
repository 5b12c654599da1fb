package dev.millrace.internal.engine;

import dev.millrace.AsyncException;
import dev.millrace.AsyncInfo;
import dev.millrace.AsyncOptions;
import dev.millrace.Finalizer;
import dev.millrace.JobId;
import dev.millrace.Queueable;
import dev.millrace.QueueableContext;
import dev.millrace.TenantPolicy;
import dev.millrace.internal.limits.ExecutionLimits;
import dev.millrace.internal.store.ClaimedJob;
import dev.millrace.limits.Limit;

import java.time.Duration;
import java.util.OptionalInt;

/** The context of a running queueable (and of a future, which cannot chain or attach a finalizer). */
final class QueueableContextImpl extends BaseContext implements QueueableContext {
    private int children;
    private Finalizer finalizer;

    QueueableContextImpl(Core core, ClaimedJob job, TenantPolicy policy) {
        super(core, job, policy, null, new ExecutionLimits("async", policy.asyncLimits(), policy.enqueuePerAsyncExecution(),
                job.type() == dev.millrace.JobType.FUTURE ? 0 : policy.futuresPerExecution()));
    }

    @Override
    public AsyncInfo asyncInfo() {
        long delayMinutes = Duration.between(job.createdAt(), job.runAt()).toMinutes();
        return new AsyncInfo(job.stackDepth(),
                job.maxStackDepth() == null ? OptionalInt.empty() : OptionalInt.of(job.maxStackDepth()),
                delayMinutes > 0 ? OptionalInt.of((int) delayMinutes) : OptionalInt.empty());
    }

    @Override
    public JobId enqueue(Queueable child) {
        return enqueue(child, AsyncOptions.none());
    }

    @Override
    public JobId enqueue(Queueable child, AsyncOptions options) {
        if (isFuture()) {
            throw new AsyncException("future " + job.className() + "." + job.methodName()
                    + " cannot enqueue a queueable: expected futures to do their work directly");
        }
        limits().add(Limit.QUEUEABLE_JOBS, 1, "too many queueable jobs added to the queue: " + (children + 1) + " (limit "
                + policy.enqueuePerAsyncExecution() + " per async execution, policy enqueuePerAsyncExecution)");
        var lineage = new Enqueuer.Lineage(job.id(), job.stackDepth() + 1, job.maxStackDepth(), 0);
        JobId id = insert(core.enqueuer().queueable(job.tenant(), child, options, lineage));
        children++;
        return id;
    }

    @Override
    public JobId enqueueFuture(Class<?> type, String method, Object... args) {
        return enqueueFutureHere(type, method, args);
    }

    @Override
    boolean allowsFutures() {
        return !isFuture();
    }

    @Override
    public void attachFinalizer(Finalizer finalizer) {
        java.util.Objects.requireNonNull(finalizer, "finalizer");
        if (isFuture()) {
            throw new IllegalStateException("attachFinalizer is only allowed inside a queueable's execute: job " + jobId()
                    + " is a future");
        }
        if (this.finalizer != null) {
            throw new AsyncException("job " + jobId() + " already has a finalizer (" + this.finalizer.getClass().getName()
                    + "): expected at most one attachFinalizer per execution");
        }
        core.registry().checkJob(finalizer);
        this.finalizer = finalizer;
    }

    Finalizer finalizer() {
        return finalizer;
    }

    private boolean isFuture() {
        return job.type() == dev.millrace.JobType.FUTURE;
    }
}
