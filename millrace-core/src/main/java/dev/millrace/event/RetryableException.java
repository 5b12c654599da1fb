package dev.millrace.event;

/**
 * Thrown by a handler to have the same batch delivered again after a growing delay (SPEC EVT-11). After the
 * tenant's {@link EventPolicy#maxRetries()} retries ({@link Subscription#MAX_RETRIES} by default) the subscription (or
 * its partition) is suspended.
 */
public class RetryableException extends RuntimeException {
    /** With a message, kept as the subscription's last error. */
    public RetryableException(String message) {
        super(message);
    }

    /** With a message and a cause. */
    public RetryableException(String message, Throwable cause) {
        super(message, cause);
    }
}
