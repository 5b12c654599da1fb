package dev.millrace;

import dev.millrace.limits.Limit;
import dev.millrace.limits.Limits;

import java.net.http.HttpClient;
import java.sql.Connection;

/**
 * One run of user code in one transaction with one {@link Limits} budget: a job's execution
 * ({@link ExecutionContext}) or a synchronous one ({@link Millrace#runSynchronously}).
 */
public interface Execution {

    /**
     * The job execution running on the calling thread: how a future, a static method with no context parameter,
     * reaches its connection, HTTP client, limits and flags.
     *
     * @return the execution of the job running on this thread, or empty outside one
     */
    static java.util.Optional<Execution> current() {
        return java.util.Optional.ofNullable(dev.millrace.internal.engine.Executions.current());
    }

    /** The tenant the execution runs for. */
    TenantId tenant();

    /**
     * The execution's JDBC connection, in its own transaction on the Millrace database; its queries, rows and
     * DML count against {@link #limits()}. Millrace commits or rolls it back: commit, rollback() and
     * setAutoCommit are refused, close does nothing.
     */
    Connection connection();

    /** The execution's governor limits: used so far and budget for each {@link Limit}. */
    Limits limits();

    /**
     * An HTTP client whose calls count as callouts (and their time as callout time) against {@link #limits()}.
     * It is shared by the node; closing it does nothing.
     */
    HttpClient httpClient();

    /**
     * Whether the tenant's feature flag is on. The execution reads each flag once: later calls return the same
     * value even if the flag is switched meanwhile. An unknown flag reads false.
     */
    boolean flag(String name);
}
