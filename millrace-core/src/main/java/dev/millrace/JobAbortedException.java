package dev.millrace;

/** Thrown at a safe point of a job whose abort was requested; the job ends {@code ABORTED}. */
public class JobAbortedException extends AsyncException {
    private static final long serialVersionUID = 1L;

    /** An error with its message. */
    public JobAbortedException(String message) {
        super(message);
    }

    /** An error with its message and cause. */
    public JobAbortedException(String message, Throwable cause) {
        super(message, cause);
    }
}
