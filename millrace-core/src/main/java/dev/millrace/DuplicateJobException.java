package dev.millrace;

/** An enqueue whose duplicate signature matches an active job of the tenant. */
public class DuplicateJobException extends AsyncException {
    private static final long serialVersionUID = 1L;

    /** An error with its message. */
    public DuplicateJobException(String message) {
        super(message);
    }

    /** An error with its message and cause. */
    public DuplicateJobException(String message, Throwable cause) {
        super(message, cause);
    }
}
