package dev.millrace;

import java.sql.Connection;
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

    /** The context of the execution running on this thread, if any (a future's way to its context). */
    static Optional<ExecutionContext> current() {
        return Optional.ofNullable(dev.millrace.internal.engine.Executions.current());
    }
}
