package dev.millrace.internal.store.sql;

import dev.millrace.TenantId;
import dev.millrace.cursor.CursorPolicy;
import dev.millrace.internal.store.CursorStore;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Cursors in SQL: one header row per cursor, its rows in pages, usage per tenant and hour. Standard SQL only. */
final class SqlCursorStore implements CursorStore {
    /** Pages sent to the database in one JDBC batch while a cursor is written. */
    static final int PAGES_PER_BATCH = 8;

    private final Jdbc jdbc;
    private final SqlDialect dialect;
    private final String cursor;
    private final String page;
    private final String usage;
    private final PolicyTable<CursorPolicy> policies;

    SqlCursorStore(Jdbc jdbc, SqlDialect dialect, String schema) {
        this.jdbc = jdbc;
        this.dialect = dialect;
        String p = schema == null ? "" : "\"" + schema + "\".";
        this.cursor = p + "mr_cursor";
        this.page = p + "mr_cursor_page";
        this.usage = p + "mr_cursor_usage";
        this.policies = new PolicyTable<>(jdbc, p + "mr_cursor_policy", "cursor policy", CursorPolicy.class,
                CursorPolicy.DEFAULTS);
    }

    @Override
    public long create(Header h, PageSource pages) {
        return jdbc.inTransaction("write cursor " + h.id(), c -> {
            long rows = 0;
            int pageNo = 0;
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO " + page + " (cursor_id, page_no, row_count, data) VALUES (?, ?, ?, ?)")) {
                int batched = 0;
                for (Page p = pages.next(); p != null; p = pages.next()) {
                    Jdbc.setUuid(ps, 1, h.id());
                    ps.setInt(2, pageNo++);
                    ps.setInt(3, p.rowCount());
                    ps.setString(4, p.data());
                    ps.addBatch();
                    rows += p.rowCount();
                    if (++batched == PAGES_PER_BATCH) {
                        ps.executeBatch();
                        batched = 0;
                    }
                }
                if (batched > 0) ps.executeBatch();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + cursor + " (id, tenant_id, job_id, source,"
                    + " columns, page_size, num_records, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                Jdbc.setUuid(ps, 1, h.id());
                ps.setString(2, h.tenant().value());
                Jdbc.setUuid(ps, 3, h.jobId());
                ps.setString(4, h.source().length() > 1000 ? h.source().substring(0, 1000) : h.source());
                ps.setString(5, h.columns());
                ps.setInt(6, h.pageSize());
                ps.setLong(7, rows);
                Jdbc.setInstant(ps, 8, h.createdAt());
                Jdbc.setInstant(ps, 9, h.expiresAt());
                ps.executeUpdate();
            }
            return rows;
        });
    }

    @Override
    public Optional<Header> header(UUID id) {
        return jdbc.inAutoCommit("read cursor " + id, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT tenant_id, job_id, source, columns, page_size,"
                    + " num_records, created_at, expires_at FROM " + cursor + " WHERE id = ?")) {
                Jdbc.setUuid(ps, 1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) return Optional.empty();
                    return Optional.of(new Header(id, new TenantId(rs.getString("tenant_id")), Jdbc.getUuid(rs, "job_id"),
                            rs.getString("source"), rs.getString("columns"), rs.getInt("page_size"),
                            rs.getLong("num_records"), Jdbc.getInstant(rs, "created_at"),
                            Jdbc.getInstant(rs, "expires_at")));
                }
            }
        });
    }

    @Override
    public List<String> pages(UUID id, int from, int to) {
        return jdbc.inAutoCommit("read cursor " + id, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT data FROM " + page
                    + " WHERE cursor_id = ? AND page_no BETWEEN ? AND ? ORDER BY page_no")) {
                Jdbc.setUuid(ps, 1, id);
                ps.setInt(2, from);
                ps.setInt(3, to);
                try (ResultSet rs = ps.executeQuery()) {
                    List<String> out = new ArrayList<>(to - from + 1);
                    while (rs.next()) out.add(rs.getString(1));
                    return out;
                }
            }
        });
    }

    @Override
    public long[] usageSince(TenantId tenant, Instant since) {
        return jdbc.inAutoCommit("read cursor usage of " + tenant, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(SUM(cursors_opened), 0),"
                    + " COALESCE(SUM(rows_fetched), 0) FROM " + usage + " WHERE tenant_id = ? AND hour_start >= ?")) {
                ps.setString(1, tenant.value());
                Jdbc.setInstant(ps, 2, since);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new long[] {rs.getLong(1), rs.getLong(2)};
                }
            }
        });
    }

    @Override
    public void addUsage(TenantId tenant, Instant hour, int cursors, long rows) {
        for (int tries = 0; ; tries++) {
            try {
                jdbc.inAutoCommit("count cursor usage of " + tenant, c -> {
                    if (update(c, tenant, hour, cursors, rows) > 0) return null;
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + usage
                            + " (tenant_id, hour_start, cursors_opened, rows_fetched) VALUES (?, ?, ?, ?)")) {
                        ps.setString(1, tenant.value());
                        Jdbc.setInstant(ps, 2, hour);
                        ps.setInt(3, cursors);
                        ps.setLong(4, rows);
                        ps.executeUpdate();
                    }
                    return null;
                });
                return;
            } catch (dev.millrace.internal.store.StoreException e) {
                // Another execution inserted the hour's row first: add to it instead.
                if (tries > 0 || !(e.getCause() instanceof SQLException s) || !dialect.isUniqueViolation(s)) throw e;
            }
        }
    }

    private int update(Connection c, TenantId tenant, Instant hour, int cursors, long rows) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + usage + " SET cursors_opened = cursors_opened + ?,"
                + " rows_fetched = rows_fetched + ? WHERE tenant_id = ? AND hour_start = ?")) {
            ps.setInt(1, cursors);
            ps.setLong(2, rows);
            ps.setString(3, tenant.value());
            Jdbc.setInstant(ps, 4, hour);
            return ps.executeUpdate();
        }
    }

    @Override
    public Optional<CursorPolicy> policy(TenantId tenant) {
        return policies.get(tenant);
    }

    @Override
    public void putPolicy(TenantId tenant, CursorPolicy p, Instant now) {
        policies.put(tenant, p, now);
    }

    @Override
    public int pruneExpired(Instant now, Instant usageCutoff, int limit) {
        List<UUID> expired = jdbc.inAutoCommit("find expired cursors", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM " + cursor
                    + " WHERE expires_at <= ? ORDER BY expires_at FETCH FIRST " + limit + " ROWS ONLY")) {
                Jdbc.setInstant(ps, 1, now);
                try (ResultSet rs = ps.executeQuery()) {
                    List<UUID> ids = new ArrayList<>();
                    while (rs.next()) ids.add(Jdbc.getUuid(rs, "id"));
                    return ids;
                }
            }
        });
        for (UUID id : expired) {
            // Header first: a cursor without its header is unknown, so a half-pruned cursor is never read.
            jdbc.inTransaction("delete expired cursor " + id, c -> {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + cursor + " WHERE id = ?")) {
                    Jdbc.setUuid(ps, 1, id);
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + page + " WHERE cursor_id = ?")) {
                    Jdbc.setUuid(ps, 1, id);
                    ps.executeUpdate();
                }
                return null;
            });
        }
        jdbc.inAutoCommit("delete old cursor usage", c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + usage + " WHERE hour_start < ?")) {
                Jdbc.setInstant(ps, 1, usageCutoff);
                return ps.executeUpdate();
            }
        });
        return expired.size();
    }
}
