package dev.millrace;

/**
 * Code attached to a running queueable with {@link QueueableContext#attachFinalizer(Finalizer)}; it runs
 * after the job ends, whether the job succeeded or failed, in its own transaction. Its fields are stored
 * as JSON when the job's execution ends, so values the job set after attaching it are visible here.
 * A finalizer class needs a no-argument constructor (of any visibility) or must be a record, and must be
 * registered with {@link Millrace.Builder#register(Class)} like a queueable.
 */
@FunctionalInterface
public interface Finalizer {

    /**
     * Runs after the parent job. It may enqueue one job, typically a retry.
     *
     * @param context the parent's result and error, the finalizer's transaction and its log
     * @throws Exception any failure; it is logged on the parent job and never re-runs anything
     */
    void execute(FinalizerContext context) throws Exception;
}
