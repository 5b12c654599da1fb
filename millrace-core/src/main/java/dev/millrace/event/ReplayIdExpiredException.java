package dev.millrace.event;

/** A reader asked for events after a replay id whose successors were already pruned (SPEC EVT-6). */
public class ReplayIdExpiredException extends RuntimeException {
    /** With a message naming the replay id and the earliest one still retained. */
    public ReplayIdExpiredException(String message) {
        super(message);
    }
}
