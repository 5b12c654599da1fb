package dev.millrace.event;

/**
 * Where reading starts (SPEC EVT-6): after a replay id, at the earliest retained event, or at the tip (only
 * events published from now on).
 *
 * @param replayId the replay id to read after; {@value #TIP} for the tip, {@value #EARLIEST} for the earliest
 */
public record ReplayFrom(long replayId) {
    /** Only new events. */
    public static final long TIP = -1;
    /** Every retained event. */
    public static final long EARLIEST = -2;

    /** Checks the value. */
    public ReplayFrom {
        if (replayId < EARLIEST) {
            throw new IllegalArgumentException("replay id " + replayId
                    + " is invalid: expected a replay id (0 or more), -1 (tip) or -2 (earliest)");
        }
    }

    /** Only events published from now on. */
    public static ReplayFrom tip() {
        return new ReplayFrom(TIP);
    }

    /** Every retained event. */
    public static ReplayFrom earliest() {
        return new ReplayFrom(EARLIEST);
    }

    /** The events after this replay id. */
    public static ReplayFrom after(long replayId) {
        if (replayId < 0) throw new IllegalArgumentException("replay id " + replayId + " is invalid: expected 0 or more");
        return new ReplayFrom(replayId);
    }
}
