package dev.millrace;

import dev.millrace.cursor.Cursor;
import dev.millrace.cursor.CursorExpiredException;
import dev.millrace.cursor.CursorNotFoundException;
import dev.millrace.cursor.CursorPolicy;
import dev.millrace.event.Event;
import dev.millrace.event.PublishResult;
import dev.millrace.limits.LimitException;

import java.sql.Connection;
import java.util.List;
import java.util.Optional;

/**
 * What every execution of user code can reach: its job, its transaction and its log.
 * {@link QueueableContext} and {@link FinalizerContext} add what is particular to them; a future reaches
 * its context with {@link #current()}.
 */
public interface ExecutionContext extends Execution {

    /** The id of the job being executed: the one {@code enqueue} returned. */
    JobId jobId();

    /** The tenant the job belongs to. */
    @Override
    TenantId tenant();

    /** Which run of the job this is: 1 on the first run, higher after a rescue. */
    int attempt();

    /**
     * The execution's own JDBC connection, in its own transaction on the Millrace database. What the job
     * writes through it commits together with the job's completion and its chained child, or not at all.
     * Do not commit, roll back or close it: the engine does (those calls are refused). Its queries, rows and DML
     * count against {@link #limits()}.
     */
    @Override
    Connection connection();

    /** The execution's log, stored beside the job and readable with it. */
    JobLogger log();

    /** Whether someone asked to abort this job; long-running code should check it at safe points. */
    boolean isAbortRequested();

    /**
     * Throws {@link JobAbortedException} when an abort was requested: a safe point at which a running job
     * stops, rolls back and ends {@link JobStatus#ABORTED}.
     */
    void checkAbort();

    /**
     * Opens a cursor: runs the query once on the Millrace database, in this execution's transaction (so it sees
     * what the execution wrote), and keeps its result in the store, where later executions on any node can read it
     * until it expires. Parameters bind to {@code ?} in order. Rows are streamed, never held in memory whole.
     *
     * @throws LimitException when the result exceeds the tenant's {@link CursorPolicy#maxRows()} or the tenant has
     *                        opened its {@link CursorPolicy#cursorsPerDay()} in the last 24 hours
     * @throws IllegalArgumentException when the query fails, with the database's reason
     */
    Cursor cursor(String sql, Object... params);

    /**
     * Opens a cursor over a query on an application data source registered with
     * {@link Millrace.Builder#applicationDataSource(String, javax.sql.DataSource)}, in a read transaction of its own.
     *
     * @throws IllegalArgumentException when no data source has that name, naming those that exist
     */
    Cursor cursorOn(String dataSource, String sql, Object... params);

    /**
     * A cursor this tenant opened earlier, by its id.
     *
     * @throws CursorNotFoundException when the tenant has no cursor with that id
     * @throws CursorExpiredException when it has expired
     */
    Cursor cursor(java.util.UUID id);

    /**
     * Publishes events of this job's tenant: after-commit channels' events commit with this execution (a rollback
     * discards them), immediate ones at once. One result per event, in order; see {@code Millrace.events()}.
     */
    List<PublishResult> publish(List<Event> events);

    /** The context of the execution running on this thread, if any (a future's way to its context). */
    static Optional<ExecutionContext> current() {
        return Optional.ofNullable(dev.millrace.internal.engine.Executions.current());
    }
}
