package dev.millrace;

/** No job with this id exists in this tenant, or it can no longer be changed. */
public class JobNotFoundException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** An error with its message. */
    public JobNotFoundException(String message) {
        super(message);
    }

    /** An error with its message and cause. */
    public JobNotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}
