package dev.millrace;

/** What kind of async work a job is. */
public enum JobType {
    /** A {@link Queueable}: a job object with state, run once, which may chain one child. */
    QUEUEABLE,
    /** A call of a static method marked {@link Future}, with simple arguments. */
    FUTURE,
    /** A batch: start, execute per chunk, finish. */
    BATCH,
    /** One chunk of a batch. */
    BATCH_CHUNK,
    /** A job started by a schedule. */
    SCHEDULED,
    /** A delivery of events to a subscription. */
    EVENT_DELIVERY,
    /** A {@link Finalizer} running after its parent job. */
    FINALIZER
}
