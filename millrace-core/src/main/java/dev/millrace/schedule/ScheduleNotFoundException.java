package dev.millrace.schedule;

/** A schedule id that names no schedule of the tenant. */
public class ScheduleNotFoundException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** An error with its message. */
    public ScheduleNotFoundException(String message) {
        super(message);
    }
}
