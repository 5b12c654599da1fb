package dev.millrace.schedule;

import dev.millrace.AsyncOptions;
import dev.millrace.ExecutionContext;
import dev.millrace.JobId;
import dev.millrace.Queueable;
import dev.millrace.limits.LimitException;

import java.time.Instant;

/** What a running {@link Schedulable} can reach: its schedule and fire time, besides its job's context. */
public interface ScheduleContext extends ExecutionContext {

    /** The schedule that fired (Salesforce's trigger id). */
    ScheduleId scheduleId();

    /**
     * The occurrence this execution is for: the cron time that came due (the actual start is later by the
     * platform's lag). After a misfire it is the first occurrence that was missed.
     */
    Instant fireTime();

    /**
     * Enqueues a queueable in this execution's transaction: it exists only if the execution succeeds. A
     * scheduled execution has synchronous limits, so it may enqueue up to the tenant's
     * {@code enqueuePerSyncExecution} (50 by default) before {@link LimitException}.
     *
     * @return the new job's id
     */
    JobId enqueue(Queueable job);

    /** Enqueues a queueable with options (delay, duplicate signature, maximum stack depth); see {@link #enqueue(Queueable)}. */
    JobId enqueue(Queueable job, AsyncOptions options);
}
