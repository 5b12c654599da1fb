package dev.millrace.internal.cursor;

import dev.millrace.ExecutionContext;
import dev.millrace.cursor.Cursor;
import dev.millrace.cursor.CursorRow;

import java.util.List;

/** An execution that can read cursors: how a {@link Cursor} value, rebuilt from a job's state, reaches the store. */
public interface CursorHost {

    /** Reads rows of a cursor within the execution's allowances. */
    List<CursorRow> fetch(Cursor cursor, long position, int count);

    /** The execution running on this thread, or an error saying that {@code what} needs one. */
    static CursorHost current(String what) {
        ExecutionContext ctx = ExecutionContext.current().orElse(null);
        if (ctx instanceof CursorHost host) return host;
        throw new IllegalStateException("cannot " + what + " outside an execution: expected a call from a running"
                + " queueable, finalizer or future");
    }
}
