package dev.millrace;

import dev.millrace.limits.LimitException;

/** What a running {@link Queueable} can do besides its work: chain one child, attach a finalizer. */
public interface QueueableContext extends ExecutionContext {

    /** The chain depth of this job, the maximum in effect and the delay it was given. */
    AsyncInfo asyncInfo();

    /**
     * Chains one child job. The child becomes visible only if this execution commits; if it fails, the
     * child never exists. A second call in the same execution raises {@link LimitException}.
     *
     * @return the child's id
     */
    JobId enqueue(Queueable child);

    /** Chains one child job with options (delay, duplicate signature, maximum stack depth). */
    JobId enqueue(Queueable child, AsyncOptions options);

    /**
     * Enqueues a future in this execution's transaction (at most 50 per queueable execution).
     *
     * @return the future's job id
     */
    JobId enqueueFuture(Class<?> type, String method, Object... args);

    /**
     * Attaches the finalizer that runs after this job ends, successful or not. Its fields are captured when
     * this execution ends. A second call raises {@link AsyncException}.
     */
    void attachFinalizer(Finalizer finalizer);
}
