package dev.millrace;

/** How the job a finalizer is attached to ended. */
public enum ParentJobResult {
    /** The job ended without an unhandled exception. */
    SUCCESS,
    /** The job threw, or broke a limit. */
    UNHANDLED_EXCEPTION
}
