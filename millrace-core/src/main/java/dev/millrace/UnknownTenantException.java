package dev.millrace;

/** The tenant does not exist; create it with {@code millrace.tenants().create(...)}. */
public class UnknownTenantException extends AsyncException {
    private static final long serialVersionUID = 1L;

    /** An error with its message. */
    public UnknownTenantException(String message) {
        super(message);
    }

    /** An error with its message and cause. */
    public UnknownTenantException(String message, Throwable cause) {
        super(message, cause);
    }
}
