package dev.millrace.limits;

import dev.millrace.AsyncException;

/**
 * A per-execution or per-tenant limit was exceeded; the message names the limit, the budget and the usage.
 * A governor limit ends the execution for good: catching this exception does not let it succeed, its
 * transaction is rolled back and the job fails ({@link Limits}).
 */
public class LimitException extends AsyncException {
    private static final long serialVersionUID = 1L;

    private final Limit limit;
    private final long budget;
    private final long usage;

    /** An error with its message, for limits outside the execution's {@link Limits} (daily quota, caps). */
    public LimitException(String message) {
        super(message);
        this.limit = null;
        this.budget = -1;
        this.usage = -1;
    }

    /** An error with its message and cause. */
    public LimitException(String message, Throwable cause) {
        super(message, cause);
        this.limit = null;
        this.budget = -1;
        this.usage = -1;
    }

    /** A governor limit exceeded, with a message naming it, the budget and the usage. */
    public LimitException(Limit limit, long budget, long usage, String message) {
        super(message);
        this.limit = limit;
        this.budget = budget;
        this.usage = usage;
    }

    /** The governor limit exceeded, or null when this is not a per-execution limit. */
    public Limit limit() {
        return limit;
    }

    /** The budget of the limit, or -1 when this is not a per-execution limit. */
    public long budget() {
        return budget;
    }

    /** The usage that exceeded it, or -1 when this is not a per-execution limit. */
    public long usage() {
        return usage;
    }
}
