package dev.millrace.cursor;

/** A cursor was used after its lifetime ({@link CursorPolicy#lifetimeHours()}, 48 hours by default) ended. */
public class CursorExpiredException extends RuntimeException {
    /** With a message naming the cursor and when it expired. */
    public CursorExpiredException(String message) {
        super(message);
    }
}
