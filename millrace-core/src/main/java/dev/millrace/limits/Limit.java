package dev.millrace.limits;

import dev.millrace.cursor.CursorPolicy;

/**
 * One governor limit of an execution (SPEC LIM-1). Each names what it counts and its unit; {@link Limits}
 * gives the usage and the budget of each, {@link LimitException#limit()} names the one exceeded.
 */
public enum Limit {
    /** Queries issued through the execution's connection. */
    QUERIES("queries", ""),
    /** Rows read from the result sets of those queries. */
    QUERY_ROWS("query rows", ""),
    /** DML statements (insert, update, delete, merge, DDL) issued through the execution's connection. */
    DML_STATEMENTS("DML statements", ""),
    /** Rows those DML statements reported as processed. */
    DML_ROWS("DML rows", ""),
    /** CPU time of the execution's own thread, in milliseconds. */
    CPU_TIME("CPU time", " ms"),
    /** Bytes the execution's thread allocated on the heap. */
    HEAP_SIZE("heap", " bytes"),
    /** Outbound HTTP calls through the execution's HTTP client. */
    CALLOUTS("callouts", ""),
    /** Total time spent in those calls, in milliseconds. */
    CALLOUT_TIME("callout time", " ms"),
    /** Queueable jobs enqueued by the execution. */
    QUEUEABLE_JOBS("queueable jobs", ""),
    /** Futures enqueued by the execution. */
    FUTURE_CALLS("future calls", ""),
    /** Events published immediately by the execution. */
    PUBLISH_IMMEDIATE("immediate event publishes", ""),
    /** Emails sent by the execution. */
    EMAILS("email sends", ""),
    /** Wall-clock time since the execution started, in milliseconds (waiting included). */
    WALL_CLOCK("wall-clock time", " ms"),
    /**
     * Cursor fetch calls of the execution (each also counts as a query, its rows as query rows). The budget is the
     * tenant's {@link CursorPolicy#fetchesPerExecution()}, not part of a {@link LimitProfile}.
     */
    CURSOR_FETCHES("cursor fetch calls", "");

    private final String label;
    private final String unit;

    Limit(String label, String unit) {
        this.label = label;
        this.unit = unit;
    }

    /** What the limit counts, in words ("query rows"). */
    public String label() {
        return label;
    }

    /** The unit after a figure (" ms", " bytes"), empty for counts. */
    public String unit() {
        return unit;
    }
}
