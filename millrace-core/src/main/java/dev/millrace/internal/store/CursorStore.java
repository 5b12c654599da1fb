package dev.millrace.internal.store;

import dev.millrace.TenantId;
import dev.millrace.cursor.CursorPolicy;

import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Cursors: their headers, their pages of rows, the tenants' usage and cursor policies. */
public interface CursorStore {

    /**
     * A cursor's fixed facts.
     *
     * @param id its id
     * @param tenant its tenant
     * @param jobId the job that opened it, or null
     * @param source the query text (cut to 1000 characters)
     * @param columns the column descriptions, as the cursor internals encode them
     * @param pageSize rows per page (the last page may hold fewer)
     * @param numRecords rows in all
     * @param createdAt when it opened
     * @param expiresAt when it expires
     */
    record Header(UUID id, TenantId tenant, UUID jobId, String source, String columns, int pageSize, long numRecords,
                  Instant createdAt, Instant expiresAt) {
    }

    /** One page of rows, encoded. */
    record Page(int rowCount, String data) {
    }

    /** Where the pages of a new cursor come from: the next page, or null at the end. */
    interface PageSource {
        Page next() throws SQLException;
    }

    /**
     * Writes a new cursor's pages, then its header, in one transaction of its own: either the whole cursor exists
     * or none of it. The header's {@code numRecords} is ignored; the rows written are counted.
     *
     * @return the number of rows written
     */
    long create(Header header, PageSource pages);

    /** A cursor's header, if it exists (expired or not). */
    Optional<Header> header(UUID id);

    /** The encoded pages {@code from} to {@code to} (inclusive) of a cursor, in order. */
    List<String> pages(UUID id, int from, int to);

    /** Cursors opened and rows fetched by the tenant since {@code since}: {cursors, rows}. */
    long[] usageSince(TenantId tenant, Instant since);

    /** Adds to the tenant's usage in the hour starting at {@code hour}. */
    void addUsage(TenantId tenant, Instant hour, int cursors, long rows);

    /** The tenant's cursor policy, if one was set. */
    Optional<CursorPolicy> policy(TenantId tenant);

    /** Sets the tenant's cursor policy. */
    void putPolicy(TenantId tenant, CursorPolicy policy, Instant now);

    /**
     * Deletes up to {@code limit} cursors that expired at or before {@code now}, with their pages, and usage older than
     * {@code usageCutoff}.
     *
     * @return the cursors deleted
     */
    int pruneExpired(Instant now, Instant usageCutoff, int limit);
}
