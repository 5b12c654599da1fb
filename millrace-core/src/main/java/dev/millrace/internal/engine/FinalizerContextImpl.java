package dev.millrace.internal.engine;

import dev.millrace.AsyncException;
import dev.millrace.AsyncOptions;
import dev.millrace.FinalizerContext;
import dev.millrace.JobError;
import dev.millrace.JobId;
import dev.millrace.LogLevel;
import dev.millrace.ParentJobResult;
import dev.millrace.Queueable;
import dev.millrace.TenantPolicy;
import dev.millrace.internal.limits.ExecutionLimits;
import dev.millrace.internal.store.ClaimedJob;
import dev.millrace.limits.Limit;

import java.util.Optional;

/** The context of a running finalizer: its parent's outcome, and the one job it may enqueue. */
final class FinalizerContextImpl extends BaseContext implements FinalizerContext {
    private final ParentJobResult result;
    private final JobError error;
    private int enqueued;

    FinalizerContextImpl(Core core, ClaimedJob job, TenantPolicy policy, ParentJobResult result, JobError error) {
        // A finalizer runs with the synchronous limits except heap (SPEC LIM-2, FIN-8), and enqueues at most one job.
        super(core, job, policy, job.requestId(), new ExecutionLimits("finalizer",
                policy.syncLimits().with(Limit.HEAP_SIZE, policy.asyncLimits().heapBytes()), 1, policy.futuresPerExecution()));
        this.result = result;
        this.error = error;
    }

    @Override
    public JobId parentJobId() {
        return JobId.of(job.parentId());
    }

    @Override
    public ParentJobResult result() {
        return result;
    }

    @Override
    public Optional<JobError> error() {
        return Optional.ofNullable(error);
    }

    @Override
    public String requestId() {
        return job.requestId();
    }

    @Override
    public JobId enqueue(Queueable next) {
        return enqueue(next, AsyncOptions.none());
    }

    @Override
    public JobId enqueue(Queueable next, AsyncOptions options) {
        limits().add(Limit.QUEUEABLE_JOBS, 1, "too many jobs enqueued by a finalizer: " + (enqueued + 1)
                + " (limit 1 per finalizer)");
        // The finalizer row carries the failures in a row so far, its parent's included when it failed.
        int failures = job.consecutiveFailures();
        int max = policy.finalizerMaxConsecutiveRetries();
        if (result == ParentJobResult.UNHANDLED_EXCEPTION && failures >= max) {
            String why = "finalizer retry chain cut: " + failures + " consecutive failed executions were re-enqueued by"
                    + " finalizers (policy finalizerMaxConsecutiveRetries is " + max + ")";
            logger.addFor(job.parentId(), LogLevel.ERROR, why, null);
            throw new AsyncException(why);
        }
        var lineage = new Enqueuer.Lineage(job.id(), job.stackDepth() + 1, job.maxStackDepth(),
                result == ParentJobResult.UNHANDLED_EXCEPTION ? failures : 0);
        JobId id = insert(core.enqueuer().queueable(job.tenant(), next, options, lineage));
        enqueued++;
        return id;
    }
}
