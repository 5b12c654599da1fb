package dev.millrace;

/** The job's class (or future's method) is not registered on this node. */
public class UnknownJobTypeException extends AsyncException {
    private static final long serialVersionUID = 1L;

    /** An error with its message. */
    public UnknownJobTypeException(String message) {
        super(message);
    }

    /** An error with its message and cause. */
    public UnknownJobTypeException(String message, Throwable cause) {
        super(message, cause);
    }
}
