package dev.millrace.limits;

import dev.millrace.TenantPolicy;

import java.util.Objects;

/**
 * The budgets of one execution profile (SPEC LIM-1). {@link #SYNC} and {@link #ASYNC} hold Salesforce's
 * numbers; a tenant's {@link TenantPolicy} may carry other ones. Queueable and future allowances are the
 * policy's own keys ({@code enqueuePerSyncExecution}, {@code enqueuePerAsyncExecution},
 * {@code futuresPerExecution}), not part of a profile.
 *
 * @param queries queries issued
 * @param queryRows rows read from queries
 * @param dmlStatements DML statements issued
 * @param dmlRows rows processed by DML
 * @param cpuTimeMillis CPU time of the execution's thread, in milliseconds
 * @param heapBytes bytes allocated by the execution's thread
 * @param callouts outbound HTTP calls
 * @param calloutTimeMillis total time of those calls, in milliseconds
 * @param publishImmediate events published immediately
 * @param emails emails sent
 * @param wallClockMillis wall-clock time of the execution, in milliseconds (SPEC LIM-1: 10 minutes)
 */
public record LimitProfile(long queries, long queryRows, long dmlStatements, long dmlRows, long cpuTimeMillis,
                           long heapBytes, long callouts, long calloutTimeMillis, long publishImmediate, long emails,
                           long wallClockMillis) {

    /** The wall-clock budget of both profiles: 10 minutes (SPEC LIM-1). */
    public static final long DEFAULT_WALL_CLOCK_MILLIS = 600_000;

    /** The synchronous profile: 100 queries, 10 s CPU, 6 MB heap. */
    public static final LimitProfile SYNC = new LimitProfile(100, 50_000, 150, 10_000, 10_000, 6L * 1024 * 1024,
            100, 120_000, 150, 10, DEFAULT_WALL_CLOCK_MILLIS);

    /** The asynchronous profile: 200 queries, 60 s CPU, 12 MB heap. */
    public static final LimitProfile ASYNC = new LimitProfile(200, 50_000, 150, 10_000, 60_000, 12L * 1024 * 1024,
            100, 120_000, 150, 10, DEFAULT_WALL_CLOCK_MILLIS);

    /**
     * A profile with the default wall-clock budget ({@value #DEFAULT_WALL_CLOCK_MILLIS} ms): the constructor from
     * before that limit existed.
     */
    public LimitProfile(long queries, long queryRows, long dmlStatements, long dmlRows, long cpuTimeMillis,
                        long heapBytes, long callouts, long calloutTimeMillis, long publishImmediate, long emails) {
        this(queries, queryRows, dmlStatements, dmlRows, cpuTimeMillis, heapBytes, callouts, calloutTimeMillis,
                publishImmediate, emails, DEFAULT_WALL_CLOCK_MILLIS);
    }

    /** Validates every budget: 0 or more. */
    public LimitProfile {
        for (Limit l : Limit.values()) {
            if (l == Limit.QUEUEABLE_JOBS || l == Limit.FUTURE_CALLS || l == Limit.CURSOR_FETCHES) continue;
            long v = get(l, queries, queryRows, dmlStatements, dmlRows, cpuTimeMillis, heapBytes, callouts,
                    calloutTimeMillis, publishImmediate, emails, wallClockMillis);
            if (v < 0) {
                throw new IllegalArgumentException("limit profile " + key(l) + " = " + v
                        + " is out of range: expected 0 or more");
            }
        }
    }

    /**
     * The budget of a limit in this profile.
     *
     * @throws IllegalArgumentException for {@link Limit#QUEUEABLE_JOBS} and {@link Limit#FUTURE_CALLS}, which are
     *                                  tenant policy keys
     */
    public long budget(Limit limit) {
        Objects.requireNonNull(limit, "limit");
        if (limit == Limit.QUEUEABLE_JOBS || limit == Limit.FUTURE_CALLS || limit == Limit.CURSOR_FETCHES) {
            throw new IllegalArgumentException("limit " + limit + " is not part of a limit profile: expected it in the"
                    + " tenant policy (enqueuePerSyncExecution, enqueuePerAsyncExecution, futuresPerExecution) or its"
                    + " cursor policy (fetchesPerExecution)");
        }
        return get(limit, queries, queryRows, dmlStatements, dmlRows, cpuTimeMillis, heapBytes, callouts,
                calloutTimeMillis, publishImmediate, emails, wallClockMillis);
    }

    /** A copy with another budget for one limit. */
    public LimitProfile with(Limit limit, long budget) {
        budget(limit);
        long[] v = new long[Limit.values().length];
        for (Limit l : Limit.values()) {
            if (l != Limit.QUEUEABLE_JOBS && l != Limit.FUTURE_CALLS && l != Limit.CURSOR_FETCHES) v[l.ordinal()] = l == limit ? budget : budget(l);
        }
        return new LimitProfile(v[Limit.QUERIES.ordinal()], v[Limit.QUERY_ROWS.ordinal()],
                v[Limit.DML_STATEMENTS.ordinal()], v[Limit.DML_ROWS.ordinal()], v[Limit.CPU_TIME.ordinal()],
                v[Limit.HEAP_SIZE.ordinal()], v[Limit.CALLOUTS.ordinal()], v[Limit.CALLOUT_TIME.ordinal()],
                v[Limit.PUBLISH_IMMEDIATE.ordinal()], v[Limit.EMAILS.ordinal()], v[Limit.WALL_CLOCK.ordinal()]);
    }

    private static long get(Limit l, long queries, long queryRows, long dmlStatements, long dmlRows, long cpu,
                            long heap, long callouts, long calloutTime, long publish, long emails, long wall) {
        return switch (l) {
            case QUERIES -> queries;
            case QUERY_ROWS -> queryRows;
            case DML_STATEMENTS -> dmlStatements;
            case DML_ROWS -> dmlRows;
            case CPU_TIME -> cpu;
            case HEAP_SIZE -> heap;
            case CALLOUTS -> callouts;
            case CALLOUT_TIME -> calloutTime;
            case PUBLISH_IMMEDIATE -> publish;
            case EMAILS -> emails;
            case WALL_CLOCK -> wall;
            case QUEUEABLE_JOBS, FUTURE_CALLS, CURSOR_FETCHES -> 0;
        };
    }

    private static String key(Limit l) {
        return switch (l) {
            case QUERIES -> "queries";
            case QUERY_ROWS -> "queryRows";
            case DML_STATEMENTS -> "dmlStatements";
            case DML_ROWS -> "dmlRows";
            case CPU_TIME -> "cpuTimeMillis";
            case HEAP_SIZE -> "heapBytes";
            case CALLOUTS -> "callouts";
            case CALLOUT_TIME -> "calloutTimeMillis";
            case PUBLISH_IMMEDIATE -> "publishImmediate";
            case EMAILS -> "emails";
            case WALL_CLOCK -> "wallClockMillis";
            case QUEUEABLE_JOBS, FUTURE_CALLS, CURSOR_FETCHES -> l.name();
        };
    }
}
