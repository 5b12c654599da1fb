package dev.millrace.internal.engine;

import dev.millrace.AsyncOptions;
import dev.millrace.JobId;
import dev.millrace.Queueable;
import dev.millrace.TenantPolicy;
import dev.millrace.internal.limits.ExecutionLimits;
import dev.millrace.internal.store.ClaimedJob;
import dev.millrace.limits.Limit;
import dev.millrace.schedule.ScheduleContext;
import dev.millrace.schedule.ScheduleId;

import java.time.Instant;

/** The context of a running {@link dev.millrace.schedule.Schedulable}: one occurrence of a schedule, with synchronous limits. */
final class ScheduleContextImpl extends BaseContext implements ScheduleContext {
    private final ScheduleId scheduleId;
    private final Instant fireTime;
    private int enqueued;

    ScheduleContextImpl(Core core, ClaimedJob job, TenantPolicy policy, JobCodec.StoredScheduled stored) {
        // Scheduled executions run with the synchronous limits (SPEC SCH-14).
        super(core, job, policy, null, new ExecutionLimits("scheduled", policy.syncLimits(),
                policy.enqueuePerSyncExecution(), policy.futuresPerExecution()));
        this.scheduleId = ScheduleId.of(stored.scheduleId());
        this.fireTime = stored.fireTime();
        core.events().scheduleFired(job.tenant(), stored.scheduleId(), fireTime, job.id());
    }

    @Override
    public ScheduleId scheduleId() {
        return scheduleId;
    }

    @Override
    public Instant fireTime() {
        return fireTime;
    }

    @Override
    public JobId enqueue(Queueable job) {
        return enqueue(job, AsyncOptions.none());
    }

    @Override
    public JobId enqueue(Queueable job, AsyncOptions options) {
        limits().add(Limit.QUEUEABLE_JOBS, 1, "too many queueable jobs added to the queue: " + (enqueued + 1)
                + " (limit " + policy.enqueuePerSyncExecution() + " per scheduled execution, policy enqueuePerSyncExecution)");
        var lineage = new Enqueuer.Lineage(this.job.id(), this.job.stackDepth() + 1, null, 0);
        JobId id = insert(core.enqueuer().queueable(this.job.tenant(), job, options, lineage));
        enqueued++;
        return id;
    }
}
