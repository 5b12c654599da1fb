package dev.millrace;

/**
 * An exception as the store keeps it: its class name, message and stack trace.
 *
 * @param type the exception's class name
 * @param message its message, possibly null
 * @param stackTrace its printed stack trace
 */
public record JobError(String type, String message, String stackTrace) {

    /** Captures a throwable. */
    public static JobError of(Throwable t) {
        var out = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(out));
        return new JobError(t.getClass().getName(), t.getMessage(), out.toString());
    }

    /** A one-line summary, {@code type: message}. */
    public String summary() {
        return message == null ? type : type + ": " + message;
    }
}
