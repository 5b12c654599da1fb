package dev.millrace.internal.engine;

import dev.millrace.AsyncOptions;
import dev.millrace.JobAbortedException;
import dev.millrace.JobId;
import dev.millrace.Queueable;
import dev.millrace.TenantPolicy;
import dev.millrace.batch.BatchContext;
import dev.millrace.batch.BatchPhase;
import dev.millrace.internal.limits.ExecutionLimits;
import dev.millrace.internal.store.ClaimedJob;
import dev.millrace.limits.LimitException;

import java.util.Optional;

/**
 * The context of a batch's start and finish (the batch's own job), or of one chunk (the chunk's job, with the
 * batch's context as its parent: an abort of the batch reaches the running chunk).
 */
final class BatchContextImpl extends BaseContext implements BatchContext {
    private final BatchContextImpl batch;
    private volatile BatchPhase phase;
    private int children;

    /** The batch's own context. */
    BatchContextImpl(Core core, ClaimedJob job, TenantPolicy policy) {
        super(core, job, policy, null, asyncLimits(policy));
        this.batch = null;
        this.phase = BatchPhase.START;
    }

    /** A chunk's context. */
    BatchContextImpl(Core core, ClaimedJob chunk, TenantPolicy policy, BatchContextImpl batch) {
        super(core, chunk, policy, batch.logger.transactionId(), asyncLimits(policy));
        this.batch = batch;
        this.phase = BatchPhase.EXECUTE;
    }

    /** Start, each chunk and finish are separate asynchronous executions, each with its own limits (SPEC). */
    private static ExecutionLimits asyncLimits(TenantPolicy policy) {
        return new ExecutionLimits("async", policy.asyncLimits(), policy.enqueuePerAsyncExecution(),
                policy.futuresPerExecution());
    }

    @Override
    public JobId batchJobId() {
        return batch == null ? jobId() : batch.jobId();
    }

    @Override
    public Optional<JobId> chunkJobId() {
        return batch == null ? Optional.empty() : Optional.of(jobId());
    }

    @Override
    public BatchPhase phase() {
        return phase;
    }

    void phase(BatchPhase phase) {
        this.phase = phase;
    }

    @Override
    public boolean isAbortRequested() {
        return super.isAbortRequested() || (batch != null && batch.isAbortRequested());
    }

    @Override
    public void checkAbort() {
        if (isAbortRequested()) throw new JobAbortedException("batch " + batchJobId() + " was aborted");
    }

    @Override
    boolean allowsFutures() {
        // A chunk, like Salesforce's batch execute, cannot call futures.
        return phase != BatchPhase.EXECUTE;
    }

    /** Whether starting a batch from here is allowed: from finish, not from start or a chunk. */
    boolean allowsBatchSubmit() {
        return phase == BatchPhase.FINISH;
    }

    /** Enqueues a queueable in this execution's transaction, within the async allowance. */
    JobId enqueue(Queueable child, AsyncOptions options) {
        if (children >= policy.enqueuePerAsyncExecution()) {
            throw new LimitException("too many queueable jobs added to the queue: " + (children + 1) + " (limit "
                    + policy.enqueuePerAsyncExecution() + " per async execution, policy enqueuePerAsyncExecution)");
        }
        var lineage = new Enqueuer.Lineage(job.id(), job.stackDepth() + 1, job.maxStackDepth(), 0);
        JobId id = insert(core.enqueuer().queueable(job.tenant(), child, options, lineage));
        children++;
        return id;
    }
}
