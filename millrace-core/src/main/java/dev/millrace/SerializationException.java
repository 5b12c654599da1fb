package dev.millrace;

/** A job's state, a finalizer or a future's arguments cannot be stored as JSON, or read back; the message names the field. */
public class SerializationException extends AsyncException {
    private static final long serialVersionUID = 1L;

    /** An error with its message. */
    public SerializationException(String message) {
        super(message);
    }

    /** An error with its message and cause. */
    public SerializationException(String message, Throwable cause) {
        super(message, cause);
    }
}
