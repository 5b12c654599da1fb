package dev.millrace.limits;

import dev.millrace.AsyncException;

/**
 * An outbound call the execution may not make (SPEC FUT-3): a future declared without {@code callout = true}
 * called through its execution's HTTP client. The call is not made.
 */
public class CalloutException extends AsyncException {
    private static final long serialVersionUID = 1L;

    /** An error with its message. */
    public CalloutException(String message) {
        super(message);
    }
}
