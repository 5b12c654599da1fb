package dev.millrace.event;

/** When a channel's published events become real (SPEC EVT-2). */
public enum PublishBehavior {
    /**
     * Only if and when the publishing transaction commits: the running job's, or the caller's JDBC connection's.
     * A rollback discards the events. Outside any transaction the publish commits on its own.
     */
    AFTER_COMMIT,
    /** At once, in a transaction of its own: the events survive a rollback of the publisher (logging, errors). */
    IMMEDIATE
}
