package dev.millrace;

import dev.millrace.limits.LimitException;

import java.util.Optional;

/** What a running {@link Finalizer} knows about its parent job, and the one job it may enqueue. */
public interface FinalizerContext extends ExecutionContext {

    /** The id of the job the finalizer was attached to. */
    JobId parentJobId();

    /** How the parent ended. */
    ParentJobResult result();

    /**
     * The parent's exception when {@link #result()} is {@link ParentJobResult#UNHANDLED_EXCEPTION}.
     * Finalizers are durable jobs of their own, so the exception comes back as its stored form.
     */
    Optional<JobError> error();

    /** An id shared by the parent and its finalizer, for correlating their logs. */
    String requestId();

    /**
     * Enqueues one job, typically a retry of the parent; a second call raises {@link LimitException}.
     * After 5 consecutive failed executions re-enqueued by their finalizers, a further re-enqueue raises
     * {@link AsyncException}.
     */
    JobId enqueue(Queueable job);

    /** Enqueues one job with options. */
    JobId enqueue(Queueable job, AsyncOptions options);
}
