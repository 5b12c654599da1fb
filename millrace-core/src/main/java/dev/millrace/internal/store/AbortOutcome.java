package dev.millrace.internal.store;

/** What an abort request found. */
public enum AbortOutcome {
    /** The job was waiting; it is now ABORTED and will never start. */
    ABORTED,
    /** The job is running; its node was asked to stop it. */
    REQUESTED,
    /** No job that can still be aborted: unknown in the tenant, or already ended. */
    NOT_FOUND
}
