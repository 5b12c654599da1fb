package dev.millrace;

/** The family of errors an enqueue or an execution raises when it breaks a platform rule. */
public class AsyncException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** An error with its message. */
    public AsyncException(String message) {
        super(message);
    }

    /** An error with its message and cause. */
    public AsyncException(String message, Throwable cause) {
        super(message, cause);
    }
}
