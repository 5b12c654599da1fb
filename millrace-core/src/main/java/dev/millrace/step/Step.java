package dev.millrace.step;

import dev.millrace.FinalizerContext;
import dev.millrace.QueueableContext;

/**
 * One step of a {@link StepWorkflow}. Each execution of a step is one queueable job with fresh limits; its fields are
 * its state, kept between its executions (a step needs a no-argument constructor of any visibility, or must be a
 * record, and must be a named top-level or static nested class).
 */
public interface Step {

    /**
     * Does one execution's worth of the step's work. An exception rolls back what the execution did and stops the
     * workflow at this step.
     *
     * @param context the execution's context: its transaction, cursors, log
     * @throws Exception any failure; it stops the workflow
     */
    void execute(QueueableContext context) throws Exception;

    /**
     * Runs after each successful execution, in the workflow's finalizer (its own transaction), before
     * {@link #shouldRestart()} is asked. Default: nothing.
     *
     * @param context the finalizer's context
     * @throws Exception any failure; it is logged and stops the workflow
     */
    default void finalize(FinalizerContext context) throws Exception {
    }

    /** The step's name in logs and job records. Default: the class's simple name. */
    default String name() {
        return getClass().getSimpleName();
    }

    /** Whether the step runs again (as a new job) after this execution. Default: false, once is enough. */
    default boolean shouldRestart() {
        return false;
    }

    /** A short text of how far the step is, shown in its job records (for example "rows 4000 of 10000"), or null. */
    default String progress() {
        return null;
    }
}
