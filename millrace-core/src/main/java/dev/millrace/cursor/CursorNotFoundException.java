package dev.millrace.cursor;

/** No cursor of the tenant has the given id (it never existed, or belongs to another tenant). */
public class CursorNotFoundException extends RuntimeException {
    /** With a message naming the id and the tenant. */
    public CursorNotFoundException(String message) {
        super(message);
    }
}
