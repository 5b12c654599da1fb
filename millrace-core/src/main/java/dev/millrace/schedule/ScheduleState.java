package dev.millrace.schedule;

/** Where a schedule is in its life. */
public enum ScheduleState {
    /** Waiting for its next fire time; the job of its last occurrence (if any) has ended. */
    WAITING,
    /** The job of its last occurrence is queued or running. */
    EXECUTING,
    /** Paused: it does not fire until resumed. */
    PAUSED,
    /** Its expression has no fire time left (a past year): it never fires again and no longer counts toward the quota. */
    COMPLETED
}
