package dev.millrace.internal.store.sql;

import dev.millrace.TenantId;
import dev.millrace.flags.FlagChange;
import dev.millrace.internal.store.FlagStore;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Feature flags in SQL. Held jobs keep their queue row in state {@value #HELD} (never claimed: the claim reads
 * state 0 only) and their job row in status HOLDING.
 */
final class SqlFlagStore implements FlagStore {
    /** The queue state of a job held by a flag. */
    static final int HELD = 3;

    private final Consumer<TenantId> readyBehindFloors;
    private final Jdbc jdbc;
    private final SqlDialect dialect;
    private final Tables t;
    private final String flagTable;
    private final String changeTable;

    /**
     * {@code readyBehindFloors} is told, once a switch committed, of a tenant whose held jobs it made ready again: they
     * keep their run times, behind where that tenant's claims start ({@link ClaimFloors}).
     */
    SqlFlagStore(Jdbc jdbc, SqlDialect dialect, Tables tables, Consumer<TenantId> readyBehindFloors) {
        this.jdbc = jdbc;
        this.dialect = dialect;
        this.t = tables;
        this.readyBehindFloors = readyBehindFloors;
        // Same schema as the tenants table.
        this.flagTable = tables.tenant().substring(0, tables.tenant().length() - "mr_tenant".length()) + "mr_flag";
        this.changeTable = flagTable + "_change";
    }

    @Override
    public Map<String, Boolean> flags(TenantId tenant) {
        return jdbc.inTransaction("read the flags of tenant " + tenant, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT name, enabled FROM " + flagTable
                    + " WHERE tenant_id = ? ORDER BY name")) {
                ps.setString(1, tenant.value());
                Map<String, Boolean> out = new LinkedHashMap<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.put(rs.getString(1), rs.getBoolean(2));
                }
                return out;
            }
        });
    }

    @Override
    public Switch set(TenantId tenant, String name, boolean enabled, String changedBy,
                      Collection<String> boundClasses, Instant now) {
        Switch done = jdbc.inTransaction("switch flag " + name + " of tenant " + tenant, c -> {
            // The value before, under the row's lock; null when the flag has no row yet (then create one to lock).
            Boolean old = readLocked(c, tenant, name);
            if (old == null) lockFlag(c, tenant, name, now);
            FlagChange change = old != null && old == enabled ? null
                    : new FlagChange(tenant, name, old, enabled, changedBy, now);
            if (change != null) audit(c, change);
            return new Switch(moveJobs(c, tenant, name, enabled, boundClasses, now), change);
        });
        if (enabled && done.moved() > 0) readyBehindFloors.accept(tenant);
        return done;
    }

    private void audit(Connection c, FlagChange change) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + changeTable
                + " (tenant_id, name, old_enabled, new_enabled, changed_by, changed_at) VALUES (?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, change.tenant().value());
            ps.setString(2, change.flag());
            if (change.oldValue() == null) ps.setNull(3, java.sql.Types.BOOLEAN);
            else ps.setBoolean(3, change.oldValue());
            ps.setBoolean(4, change.newValue());
            ps.setString(5, change.changedBy());
            Jdbc.setInstant(ps, 6, change.changedAt());
            ps.executeUpdate();
        }
    }

    @Override
    public List<FlagChange> history(TenantId tenant, String name, int limit) {
        return jdbc.inTransaction("read the history of flag " + name + " of tenant " + tenant, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT old_enabled, new_enabled, changed_by, changed_at"
                    + " FROM " + changeTable + " WHERE tenant_id = ? AND name = ? ORDER BY id DESC LIMIT ?")) {
                ps.setString(1, tenant.value());
                ps.setString(2, name);
                ps.setInt(3, limit);
                List<FlagChange> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        boolean old = rs.getBoolean(1);
                        out.add(new FlagChange(tenant, name, rs.wasNull() ? null : old, rs.getBoolean(2),
                                rs.getString(3), Jdbc.getInstant(rs, "changed_at")));
                    }
                }
                return out;
            }
        });
    }

    /** Stores the new value and moves the bound classes' jobs; returns how many moved. */
    private int moveJobs(Connection c, TenantId tenant, String name, boolean enabled, Collection<String> boundClasses,
                         Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + flagTable
                + " SET enabled = ?, updated_at = ? WHERE tenant_id = ? AND name = ?")) {
            ps.setBoolean(1, enabled);
            Jdbc.setInstant(ps, 2, now);
            ps.setString(3, tenant.value());
            ps.setString(4, name);
            ps.executeUpdate();
        }
        if (boundClasses.isEmpty()) return 0;
        List<UUID> candidates = jobsOf(c, tenant, enabled ? HELD : 0, boundClasses);
        if (candidates.isEmpty()) return 0;
        int moved = enabled ? move(c, tenant, candidates, HELD, 0, "QUEUED") : move(c, tenant, candidates, 0, HELD, "HOLDING");
        // Released jobs are ready: wake the other nodes when this commits.
        if (enabled && moved > 0) ReadyNotice.sendAtCommit(c, dialect, t, List.of(tenant.value()));
        return moved;
    }

    @Override
    public boolean lockFlag(Connection c, TenantId tenant, String name, Instant now) {
        return Jdbc.inConnection(c, "lock flag " + name, x -> {
            Boolean value = readLocked(x, tenant, name);
            if (value != null) return value;
            // First use of the flag: create it (off) so there is a row to lock. A concurrent creator wins quietly.
            Savepoint sp = x.setSavepoint();
            try (PreparedStatement ps = x.prepareStatement("INSERT INTO " + flagTable
                    + " (tenant_id, name, enabled, updated_at) VALUES (?, ?, FALSE, ?)")) {
                ps.setString(1, tenant.value());
                ps.setString(2, name);
                Jdbc.setInstant(ps, 3, now);
                ps.executeUpdate();
                x.releaseSavepoint(sp);
            } catch (SQLException e) {
                x.rollback(sp);
                if (!dialect.isUniqueViolation(e)) throw e;
            }
            value = readLocked(x, tenant, name);
            return value != null && value;
        });
    }

    private Boolean readLocked(Connection c, TenantId tenant, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT enabled FROM " + flagTable
                + " WHERE tenant_id = ? AND name = ? FOR UPDATE")) {
            ps.setString(1, tenant.value());
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getBoolean(1) : null;
            }
        }
    }

    @Override
    public void hold(Connection c, TenantId tenant, List<UUID> jobIds) {
        if (jobIds.isEmpty()) return;
        Jdbc.inConnection(c, "hold jobs", x -> move(x, tenant, jobIds, 0, HELD, "HOLDING"));
    }

    private List<UUID> jobsOf(Connection c, TenantId tenant, int state, Collection<String> classes) throws SQLException {
        String in = String.join(", ", java.util.Collections.nCopies(classes.size(), "?"));
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM " + t.job()
                + " WHERE tenant_id = ? AND state = ? AND class_name IN (" + in + ")")) {
            int i = 1;
            ps.setString(i++, tenant.value());
            ps.setInt(i++, state);
            for (String cls : classes) ps.setString(i++, cls);
            List<UUID> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(Jdbc.getUuid(rs, "id"));
            }
            return out;
        }
    }

    /**
     * Moves jobs from one state to another with their status, each only if still in the first (a claim may have
     * taken a ready row meanwhile: it runs).
     */
    private int move(Connection c, TenantId tenant, List<UUID> ids, int from, int to, String status) throws SQLException {
        int moved = 0;
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + t.job() + " SET state = ?, status = ?"
                + " WHERE tenant_id = ? AND id = ? AND state = ?")) {
            for (UUID id : ids) {
                ps.setInt(1, to);
                ps.setString(2, status);
                ps.setString(3, tenant.value());
                Jdbc.setUuid(ps, 4, id);
                ps.setInt(5, from);
                ps.addBatch();
            }
            for (int count : ps.executeBatch()) if (count != 0) moved++;
        }
        return moved;
    }
}
