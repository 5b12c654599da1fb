package dev.millrace.internal.store;

/** A database failure below the store: the operation did not happen, or its outcome is unknown. */
public class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** A failure with what was being done and why it failed. */
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
