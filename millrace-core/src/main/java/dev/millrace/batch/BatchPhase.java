package dev.millrace.batch;

/** Where in a batch something happened. */
public enum BatchPhase {
    /** {@link Batchable#start} and cutting the source into chunks. */
    START,
    /** A chunk's {@link Batchable#execute}. */
    EXECUTE,
    /** {@link Batchable#finish}. */
    FINISH
}
