package dev.millrace.limits;

import dev.millrace.TenantPolicy;

/**
 * The governor limits of the running execution (SPEC LIM-4): for each {@link Limit}, what it used so far and
 * its budget. Budgets come from the execution's profile (synchronous or asynchronous) in the tenant's
 * {@link TenantPolicy}; user code can read them, never raise them.
 */
public interface Limits {

    /** Which profile the execution runs with: {@code "sync"}, {@code "async"} or {@code "finalizer"}. */
    String profile();

    /** How much of the limit this execution has used so far. */
    long used(Limit limit);

    /** The execution's budget for the limit. */
    long budget(Limit limit);

    /** Queries issued. */
    default long getQueries() {
        return used(Limit.QUERIES);
    }

    /** Budget of queries. */
    default long getLimitQueries() {
        return budget(Limit.QUERIES);
    }

    /** Rows read from queries. */
    default long getQueryRows() {
        return used(Limit.QUERY_ROWS);
    }

    /** Budget of query rows. */
    default long getLimitQueryRows() {
        return budget(Limit.QUERY_ROWS);
    }

    /** DML statements issued. */
    default long getDmlStatements() {
        return used(Limit.DML_STATEMENTS);
    }

    /** Budget of DML statements. */
    default long getLimitDmlStatements() {
        return budget(Limit.DML_STATEMENTS);
    }

    /** Rows processed by DML. */
    default long getDmlRows() {
        return used(Limit.DML_ROWS);
    }

    /** Budget of DML rows. */
    default long getLimitDmlRows() {
        return budget(Limit.DML_ROWS);
    }

    /** CPU time of the execution's thread so far, in milliseconds. */
    default long getCpuTime() {
        return used(Limit.CPU_TIME);
    }

    /** Budget of CPU time in milliseconds. */
    default long getLimitCpuTime() {
        return budget(Limit.CPU_TIME);
    }

    /** Bytes allocated by the execution's thread so far. */
    default long getHeapSize() {
        return used(Limit.HEAP_SIZE);
    }

    /** Budget of heap in bytes. */
    default long getLimitHeapSize() {
        return budget(Limit.HEAP_SIZE);
    }

    /** Callouts made. */
    default long getCallouts() {
        return used(Limit.CALLOUTS);
    }

    /** Budget of callouts. */
    default long getLimitCallouts() {
        return budget(Limit.CALLOUTS);
    }

    /** Total callout time in milliseconds. */
    default long getCalloutTime() {
        return used(Limit.CALLOUT_TIME);
    }

    /** Budget of callout time in milliseconds. */
    default long getLimitCalloutTime() {
        return budget(Limit.CALLOUT_TIME);
    }

    /** Queueable jobs enqueued. */
    default long getQueueableJobs() {
        return used(Limit.QUEUEABLE_JOBS);
    }

    /** Budget of queueable jobs. */
    default long getLimitQueueableJobs() {
        return budget(Limit.QUEUEABLE_JOBS);
    }

    /** Futures enqueued. */
    default long getFutureCalls() {
        return used(Limit.FUTURE_CALLS);
    }

    /** Budget of futures. */
    default long getLimitFutureCalls() {
        return budget(Limit.FUTURE_CALLS);
    }

    /** Events published immediately. */
    default long getPublishImmediateDml() {
        return used(Limit.PUBLISH_IMMEDIATE);
    }

    /** Budget of immediate publishes. */
    default long getLimitPublishImmediateDml() {
        return budget(Limit.PUBLISH_IMMEDIATE);
    }

    /** Emails sent. */
    default long getEmailInvocations() {
        return used(Limit.EMAILS);
    }

    /** Budget of emails. */
    default long getLimitEmailInvocations() {
        return budget(Limit.EMAILS);
    }

    /** Cursor fetch calls made. */
    default long getCursorFetches() {
        return used(Limit.CURSOR_FETCHES);
    }

    /** Budget of cursor fetch calls (the tenant's cursor policy {@code fetchesPerExecution}). */
    default long getLimitCursorFetches() {
        return budget(Limit.CURSOR_FETCHES);
    }
}
