package dev.millrace.internal.engine;

import dev.millrace.batch.Batchable;
import dev.millrace.schedule.Schedulable;
import dev.millrace.schedule.ScheduleContext;

/**
 * The schedulable behind {@code Millrace.scheduleBatch} (SPEC BAT-16): a one-shot schedule whose firing submits
 * the batch it carries, as {@code executeBatch} would from a schedule's execution (in that execution's transaction).
 * Every node knows it; the batch's own class must be registered, as for {@code executeBatch}.
 */
final class BatchLauncher implements Schedulable {
    /** The batch's class. */
    String batchClass;
    /** The batch as the job codec wrote it. */
    String batch;
    /** Records per chunk. */
    int scope;

    BatchLauncher() {
    }

    BatchLauncher(String batchClass, String batch, int scope) {
        this.batchClass = batchClass;
        this.batch = batch;
        this.scope = scope;
    }

    @Override
    public void execute(ScheduleContext context) {
        ScheduleContextImpl ctx = (ScheduleContextImpl) context;
        Class<?> type = ctx.core.registry().jobClass(batchClass);
        Batchable<?> b = (Batchable<?>) ctx.core.codec().read(batch, type, "batch");
        ctx.core.batches().submit(ctx.tenant(), b, scope);
    }

    /** Submits a batch from inside an execution (the engine's {@code executeBatch}). */
    interface Submit {
        dev.millrace.JobId submit(dev.millrace.TenantId tenant, Batchable<?> batch, int scope);
    }
}
