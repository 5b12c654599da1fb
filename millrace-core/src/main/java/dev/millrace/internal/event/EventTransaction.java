package dev.millrace.internal.event;

import dev.millrace.TenantId;

import java.sql.Connection;

/**
 * A transaction after-commit events can ride: a running job's or a delivery's. Events published in it are kept
 * in {@link #pendingEvents()} and appended just before it commits, so the channel lock is held only briefly.
 */
public interface EventTransaction {

    /** The bus this transaction belongs to (a context of another node is not used). */
    Object eventOwner();

    /** The tenant of the execution. */
    TenantId tenant();

    /** Events waiting for the commit. */
    PendingEvents pendingEvents();
}
