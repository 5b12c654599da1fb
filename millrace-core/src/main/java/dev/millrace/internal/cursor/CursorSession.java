package dev.millrace.internal.cursor;

import dev.millrace.TenantId;
import dev.millrace.cursor.Cursor;
import dev.millrace.cursor.CursorExpiredException;
import dev.millrace.cursor.CursorNotFoundException;
import dev.millrace.cursor.CursorPolicy;
import dev.millrace.cursor.CursorRow;
import dev.millrace.internal.limits.ExecutionLimits;
import dev.millrace.internal.store.CursorStore;
import dev.millrace.limits.Limit;
import dev.millrace.limits.LimitException;

import java.io.StringWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * The cursors of one execution: opens them, reopens them by id, fetches from them, and counts the execution's
 * fetches and rows against its tenant's {@link CursorPolicy}. Not thread-safe, like the execution it serves.
 */
public final class CursorSession {
    private static final Duration DAY = Duration.ofHours(24);

    private final CursorService service;
    private final TenantId tenant;
    private final UUID jobId;
    private final Supplier<Connection> connection;
    private CursorPolicy policy;
    private int fetches;
    private long rows;
    private long[] dailyUsage;
    /** Rows fetched and not yet added to the tenant's usage: written once, when the execution ends. */
    private long unrecordedRows;
    private Instant unrecordedHour;
    private final Map<UUID, Rows> open = new HashMap<>();

    CursorSession(CursorService service, TenantId tenant, UUID jobId, Supplier<Connection> connection) {
        this.service = service;
        this.tenant = tenant;
        this.jobId = jobId;
        this.connection = connection;
    }

    private CursorPolicy policy() {
        if (policy == null) policy = service.policy(tenant);
        return policy;
    }

    private long[] dailyUsage(Instant now) {
        // Read once per execution, then kept up to date locally: a cursor's daily allocation is checked against
        // what other executions had used when this one first needed it.
        if (dailyUsage == null) dailyUsage = service.store().usageSince(tenant, hour(now).minus(DAY).plus(Duration.ofHours(1)));
        return dailyUsage;
    }

    private static Instant hour(Instant t) {
        return t.truncatedTo(ChronoUnit.HOURS);
    }

    /**
     * Runs the query once and keeps its result as a new cursor.
     *
     * @param dataSourceName an application data source, or null for the Millrace database through the execution's
     *                       own transaction (which sees the execution's uncommitted writes)
     */
    public Cursor open(String dataSourceName, String sql, Object[] params) {
        if (sql == null || sql.isBlank()) {
            throw new IllegalArgumentException("cursor query is empty: expected a SELECT statement");
        }
        CursorPolicy p = policy();
        Instant now = service.clock().instant();
        long opened = dailyUsage(now)[0];
        if (opened + 1 > p.cursorsPerDay()) {
            throw new LimitException("too many cursors opened by tenant '" + tenant + "': " + (opened + 1)
                    + " in 24 hours (limit " + p.cursorsPerDay() + ", cursor policy cursorsPerDay)");
        }
        DataSource ds = dataSourceName == null ? null : service.dataSource(dataSourceName);
        ExecutionLimits limits = ExecutionLimits.current();
        if (limits != null) limits.add(Limit.QUERIES, 1);
        UUID id = UUID.randomUUID();
        Instant expires = now.plus(Duration.ofHours(p.lifetimeHours()));
        long count;
        Rows columns;
        try {
            Connection c = ds == null ? connection.get() : ds.getConnection();
            boolean restoreAuto = false;
            // On the execution's own transaction, a failed query must not poison what the execution did before it
            // (PostgreSQL aborts the whole transaction on an error): it rolls back to here instead.
            java.sql.Savepoint savepoint = ds == null ? c.setSavepoint() : null;
            try {
                if (ds != null && c.getAutoCommit()) {
                    // A server-side cursor (PostgreSQL streams with a fetch size only inside a transaction).
                    c.setAutoCommit(false);
                    restoreAuto = true;
                }
                try (PreparedStatement ps = c.prepareStatement(sql, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
                    ps.setFetchSize(CursorService.PAGE_SIZE);
                    bind(ps, params);
                    try (ResultSet rs = ps.executeQuery()) {
                        columns = Rows.of(rs.getMetaData());
                        Rows cols = columns;
                        long max = p.maxRows();
                        long[] seen = {0};
                        var header = new CursorStore.Header(id, tenant, jobId, sql, cols.describe(),
                                CursorService.PAGE_SIZE, 0, now, expires);
                        count = service.store().create(header, () -> {
                            StringWriter out = new StringWriter();
                            int n = cols.writePage(rs, CursorService.PAGE_SIZE, out);
                            if (n == 0) return null;
                            seen[0] += n;
                            if (seen[0] > max) {
                                throw new LimitException("cursor query returned more than " + max + " rows (limit "
                                        + max + " rows per cursor, cursor policy maxRows): " + abbreviate(sql));
                            }
                            return new CursorStore.Page(n, out.toString());
                        });
                    }
                }
                if (savepoint != null) c.releaseSavepoint(savepoint);
            } catch (SQLException | RuntimeException e) {
                if (savepoint != null) {
                    try {
                        c.rollback(savepoint);
                    } catch (SQLException x) {
                        e.addSuppressed(x);
                    }
                }
                throw e;
            } finally {
                if (ds != null) {
                    try {
                        c.rollback();
                        if (restoreAuto) c.setAutoCommit(true);
                    } finally {
                        c.close();
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalArgumentException("cursor query failed: " + e.getMessage() + " (query: " + abbreviate(sql)
                    + "); expected a valid SELECT", e);
        }
        service.store().addUsage(tenant, hour(now), 1, 0);
        dailyUsage[0]++;
        open.put(id, columns);
        return new Cursor(id, tenant, count, expires);
    }

    private static void bind(PreparedStatement ps, Object[] params) throws SQLException {
        if (params == null) return;
        for (int i = 0; i < params.length; i++) {
            Object v = params[i];
            if (v instanceof Instant t) v = OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
            else if (v instanceof Enum<?> e) v = e.name();
            else if (v instanceof TenantId t) v = t.value();
            ps.setObject(i + 1, v);
        }
    }

    private static String abbreviate(String sql) {
        return sql.length() > 200 ? sql.substring(0, 200) + "…" : sql;
    }

    /** A cursor of this tenant by id, checked to exist and not to have expired. */
    public Cursor reopen(UUID id) {
        CursorStore.Header h = header(id, null);
        return new Cursor(id, tenant, h.numRecords(), h.expiresAt());
    }

    private CursorStore.Header header(UUID id, Instant knownExpiry) {
        CursorStore.Header h = service.store().header(id).filter(x -> x.tenant().equals(tenant)).orElse(null);
        Instant now = service.clock().instant();
        if (h == null) {
            if (knownExpiry != null && !now.isBefore(knownExpiry)) throw expired(id, knownExpiry);
            throw new CursorNotFoundException("cursor " + id + " does not exist in tenant '" + tenant
                    + "': expected the id of a cursor the tenant opened in the last " + policy().lifetimeHours() + " hours");
        }
        if (!now.isBefore(h.expiresAt())) throw expired(id, h.expiresAt());
        open.putIfAbsent(id, Rows.parse(h.columns()));
        return h;
    }

    private CursorExpiredException expired(UUID id, Instant at) {
        return new CursorExpiredException("cursor " + id + " of tenant '" + tenant + "' expired at " + at
                + ": expected a cursor within its lifetime (cursor policy lifetimeHours is " + policy().lifetimeHours()
                + "); open a new one");
    }

    /** Adds the rows this execution fetched to the tenant's daily usage; called when the execution ends. */
    public void recordUsage() {
        if (unrecordedRows == 0) return;
        service.store().addUsage(tenant, unrecordedHour, 0, unrecordedRows);
        unrecordedRows = 0;
    }

    /** Reads rows; see {@link Cursor#fetch(long, int)}. */
    public List<CursorRow> fetch(Cursor cursor, long position, int count) {
        if (!cursor.tenant().equals(tenant)) {
            throw new CursorNotFoundException("cursor " + cursor.id() + " does not exist in tenant '" + tenant
                    + "': expected a cursor the tenant opened");
        }
        Instant now = service.clock().instant();
        if (!now.isBefore(cursor.expiresAt())) throw expired(cursor.id(), cursor.expiresAt());
        CursorPolicy p = policy();
        // Counted through the execution's governor limits (SPEC CUR-4, LIM-4): a fetch is a cursor fetch call and a
        // query, its rows are query rows; a breach ends the execution even if user code catches it.
        ExecutionLimits limits = ExecutionLimits.current();
        String tooMany = "too many cursor fetch calls: " + (fetches + 1) + " (limit " + p.fetchesPerExecution()
                + " per execution, cursor policy fetchesPerExecution)";
        if (limits != null) {
            limits.setCursorFetchBudget(p.fetchesPerExecution());
            limits.add(Limit.CURSOR_FETCHES, 1, tooMany);
            limits.add(Limit.QUERIES, 1);
        } else if (fetches + 1 > p.fetchesPerExecution()) {
            throw new LimitException(tooMany);
        }
        int n = (int) Math.min(count, cursor.numRecords() - position);
        if (rows + n > p.rowsPerExecution()) {
            throw new LimitException("too many cursor rows fetched: " + (rows + n) + " (limit " + p.rowsPerExecution()
                    + " per execution, cursor policy rowsPerExecution)");
        }
        long daily = dailyUsage(now)[1];
        if (daily + n > p.rowsPerDay()) {
            throw new LimitException("too many cursor rows fetched by tenant '" + tenant + "': " + (daily + n)
                    + " in 24 hours (limit " + p.rowsPerDay() + ", cursor policy rowsPerDay)");
        }
        if (limits != null) limits.addRows(Limit.QUERY_ROWS, n);
        Rows columns = open.get(cursor.id());
        if (columns == null) {
            header(cursor.id(), cursor.expiresAt());
            columns = open.get(cursor.id());
        }
        fetches++;
        List<CursorRow> out = new ArrayList<>(n);
        if (n > 0) {
            int size = CursorService.PAGE_SIZE;
            int first = (int) (position / size);
            int last = (int) ((position + n - 1) / size);
            List<String> pages = service.store().pages(cursor.id(), first, last);
            if (pages.size() != last - first + 1) {
                // Pruned between the header check and this read: the cursor has expired after all.
                throw expired(cursor.id(), cursor.expiresAt());
            }
            int skip = (int) (position % size);
            for (String page : pages) {
                columns.readPage(page, skip, n - out.size(), out);
                skip = 0;
            }
            if (unrecordedHour != null && !unrecordedHour.equals(hour(now))) recordUsage();
            unrecordedHour = hour(now);
            unrecordedRows += n;
            dailyUsage[1] += n;
        }
        rows += n;
        return out;
    }
}
