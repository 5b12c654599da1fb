package dev.millrace;

/** A per-execution or per-tenant limit was exceeded; the message names the limit, the budget and the usage. */
public class LimitException extends AsyncException {
    private static final long serialVersionUID = 1L;

    /** An error with its message. */
    public LimitException(String message) {
        super(message);
    }

    /** An error with its message and cause. */
    public LimitException(String message, Throwable cause) {
        super(message, cause);
    }
}
