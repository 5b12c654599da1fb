package dev.millrace;

/** An enqueue would make a chain deeper than its maximum stack depth; the message gives both numbers. */
public class MaxStackDepthException extends AsyncException {
    private static final long serialVersionUID = 1L;

    /** An error with its message. */
    public MaxStackDepthException(String message) {
        super(message);
    }

    /** An error with its message and cause. */
    public MaxStackDepthException(String message, Throwable cause) {
        super(message, cause);
    }
}
