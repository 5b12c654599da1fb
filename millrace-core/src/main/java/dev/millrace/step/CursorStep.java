package dev.millrace.step;

import dev.millrace.FinalizerContext;
import dev.millrace.QueueableContext;
import dev.millrace.cursor.Cursor;
import dev.millrace.cursor.CursorRow;

import java.util.List;

/**
 * A {@link Step} over a cursor (SPEC.md STEP-7): the first execution opens the cursor with {@link #openCursor}, and
 * every execution fetches {@link #chunkSize()} rows at the current position, hands them to {@link #execute(List,
 * QueueableContext)} and moves the position on. The step restarts until the position reaches the cursor's total, so
 * each chunk is one job with fresh limits. The cursor and the position are the step's state.
 *
 * <pre>{@code
 * public class DeactivateStale extends CursorStep {
 *     protected Cursor openCursor(QueueableContext ctx) {
 *         return ctx.cursor("SELECT id FROM account WHERE last_seen < ?", cutoff);
 *     }
 *     protected void execute(List<CursorRow> rows, QueueableContext ctx) throws Exception {
 *         // update the accounts in rows through ctx.connection()
 *     }
 * }
 * }</pre>
 */
public abstract class CursorStep implements Step {
    /** The largest chunk a cursor step fetches per execution (and the default). */
    public static final int CHUNK_CEILING = 2_000;

    private Cursor cursor;
    private long position;

    /** For subclasses. */
    protected CursorStep() {
    }

    /** Opens the cursor; called once, in the step's first execution. */
    protected abstract Cursor openCursor(QueueableContext context) throws Exception;

    /** Processes one chunk of rows in the execution's transaction. An exception stops the workflow here. */
    protected abstract void execute(List<CursorRow> rows, QueueableContext context) throws Exception;

    /** Rows per execution: 1 to {@link #CHUNK_CEILING}; default {@link #CHUNK_CEILING}. */
    protected int chunkSize() {
        return CHUNK_CEILING;
    }

    /** Fetches the next chunk and processes it; the position moves only when processing succeeded. */
    @Override
    public final void execute(QueueableContext context) throws Exception {
        if (cursor == null) {
            cursor = openCursor(context);
            if (cursor == null) {
                throw new IllegalStateException("cursor step '" + name() + "' opened no cursor: expected openCursor to"
                        + " return one");
            }
        }
        int size = chunkSize();
        if (size < 1 || size > CHUNK_CEILING) {
            throw new IllegalStateException("cursor step '" + name() + "' chunk size " + size + " is out of range: expected"
                    + " 1 to " + CHUNK_CEILING);
        }
        List<CursorRow> rows = cursor.fetch(position, size);
        execute(rows, context);
        position += rows.size();
    }

    /** Logs that the step is complete once the position reached the total. */
    @Override
    public void finalize(FinalizerContext context) throws Exception {
        if (!shouldRestart()) {
            context.log().info("cursor step \"{0}\" complete: {1} rows", name(), cursor.numRecords());
        }
    }

    /** While rows are left. */
    @Override
    public boolean shouldRestart() {
        return cursor != null && position < cursor.numRecords();
    }

    /** "rows P of N", or null before the cursor opened. */
    @Override
    public String progress() {
        return cursor == null ? null : "rows " + position + " of " + cursor.numRecords();
    }

    /** The cursor, once opened. */
    protected final Cursor cursor() {
        return cursor;
    }

    /** Rows processed so far: where the next chunk starts. */
    protected final long position() {
        return position;
    }
}
