package dev.millrace.cursor;

import dev.millrace.ExecutionContext;
import dev.millrace.TenantId;
import dev.millrace.internal.cursor.CursorHost;
import dev.millrace.limits.LimitException;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * The fixed result of a query, opened with {@link ExecutionContext#cursor(String, Object...)}: its rows were copied
 * into the Millrace store when it opened, so rows added, changed or deleted afterwards neither shift positions nor
 * change what {@link #fetch} returns. A cursor is a small value: keep it in a queueable's fields (or only its
 * {@link #id()}, and reopen it with {@link ExecutionContext#cursor(UUID)}) to read it in later executions, on any
 * node, until it expires. It keeps no position of its own: the caller does.
 *
 * <pre>{@code
 * Cursor cursor = ctx.cursor("SELECT id, email FROM customer WHERE active = ?", true);
 * for (long p = 0; p < cursor.numRecords(); p += 500) {
 *     for (CursorRow row : cursor.fetch(p, 500)) send(row.getString("email"));
 * }
 * }</pre>
 */
public final class Cursor {
    private UUID id;
    private TenantId tenant;
    private long numRecords;
    private Instant expiresAt;

    private Cursor() {
        // for the job codec
    }

    /** For the cursor internals. */
    public Cursor(UUID id, TenantId tenant, long numRecords, Instant expiresAt) {
        this.id = Objects.requireNonNull(id, "id");
        this.tenant = Objects.requireNonNull(tenant, "tenant");
        this.numRecords = numRecords;
        this.expiresAt = Objects.requireNonNull(expiresAt, "expiresAt");
    }

    /** The cursor's id: pass it to later executions and reopen it with {@link ExecutionContext#cursor(UUID)}. */
    public UUID id() {
        return id;
    }

    /** The tenant that opened it; no other tenant can read it. */
    public TenantId tenant() {
        return tenant;
    }

    /** How many rows it holds. */
    public long numRecords() {
        return numRecords;
    }

    /** When it expires; fetching afterwards raises {@link CursorExpiredException}. */
    public Instant expiresAt() {
        return expiresAt;
    }

    /**
     * Reads {@code count} rows from 0-based {@code position} (fewer at the end), in the order of the query, any
     * number of times and in any order. Only inside an execution of the cursor's tenant; each call counts against
     * the execution's fetch and row allowances and the tenant's daily row allocation.
     *
     * @throws IllegalArgumentException when position or count is negative or position is beyond the end
     * @throws CursorExpiredException when the cursor's lifetime has ended
     * @throws CursorNotFoundException when the cursor no longer exists or belongs to another tenant
     * @throws LimitException when an allowance or allocation of {@link CursorPolicy} would be exceeded
     * @throws IllegalStateException when called outside an execution
     */
    public List<CursorRow> fetch(long position, int count) {
        if (position < 0 || count < 0 || position > numRecords) {
            throw new IllegalArgumentException("cannot fetch " + count + " rows at position " + position + " of cursor "
                    + id + ": expected a count of 0 or more and a position from 0 to " + numRecords);
        }
        return CursorHost.current("fetch from cursor " + id).fetch(this, position, count);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cursor c && c.id.equals(id);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    @Override
    public String toString() {
        return "Cursor[" + id + ", " + numRecords + " rows, expires " + expiresAt + "]";
    }
}
