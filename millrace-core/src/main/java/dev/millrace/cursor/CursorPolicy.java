package dev.millrace.cursor;

import dev.millrace.TenantId;
import dev.millrace.limits.LimitException;

/**
 * A tenant's cursor limits (SPEC.md CUR-1, CUR-4 to CUR-6). Defaults are Salesforce's; an operator changes them per
 * tenant with {@link Cursors#putPolicy(TenantId, CursorPolicy)}, user code never.
 *
 * @param maxRows most rows one cursor may hold; a larger result fails the open with {@link LimitException}
 * @param fetchesPerExecution fetch calls one execution may make, over all its cursors
 * @param rowsPerExecution rows one execution may fetch, over all its cursors (they count as query rows)
 * @param lifetimeHours hours a cursor lives after it opened; then {@link CursorExpiredException}
 * @param cursorsPerDay cursors the tenant may open in a rolling 24 hours
 * @param rowsPerDay rows the tenant may fetch through cursors in a rolling 24 hours
 */
public record CursorPolicy(long maxRows, int fetchesPerExecution, int rowsPerExecution, int lifetimeHours,
                           int cursorsPerDay, long rowsPerDay) {

    /** The defaults: 50,000,000 rows, 100 fetches and 50,000 rows per execution, 48 hours, 10,000 and 100,000,000 a day. */
    public static final CursorPolicy DEFAULTS = new CursorPolicy(50_000_000L, 100, 50_000, 48, 10_000, 100_000_000L);

    /** Validates every number, naming the key, the value and the allowed range. */
    public CursorPolicy {
        check("maxRows", maxRows, 0, 1_000_000_000L);
        check("fetchesPerExecution", fetchesPerExecution, 0, 1_000_000);
        check("rowsPerExecution", rowsPerExecution, 0, 100_000_000);
        check("lifetimeHours", lifetimeHours, 1, 24 * 365);
        check("cursorsPerDay", cursorsPerDay, 0, 100_000_000);
        check("rowsPerDay", rowsPerDay, 0, Long.MAX_VALUE);
    }

    private static void check(String key, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException("cursor policy " + key + " = " + value + " is out of range: expected "
                    + min + " to " + max);
        }
    }

    /** A copy with another maximum of rows per cursor. */
    public CursorPolicy withMaxRows(long rows) {
        return new CursorPolicy(rows, fetchesPerExecution, rowsPerExecution, lifetimeHours, cursorsPerDay, rowsPerDay);
    }

    /** A copy with other per-execution allowances. */
    public CursorPolicy withPerExecution(int fetches, int rows) {
        return new CursorPolicy(maxRows, fetches, rows, lifetimeHours, cursorsPerDay, rowsPerDay);
    }

    /** A copy with another lifetime. */
    public CursorPolicy withLifetimeHours(int hours) {
        return new CursorPolicy(maxRows, fetchesPerExecution, rowsPerExecution, hours, cursorsPerDay, rowsPerDay);
    }

    /** A copy with other daily allocations. */
    public CursorPolicy withPerDay(int cursors, long rows) {
        return new CursorPolicy(maxRows, fetchesPerExecution, rowsPerExecution, lifetimeHours, cursors, rows);
    }
}
