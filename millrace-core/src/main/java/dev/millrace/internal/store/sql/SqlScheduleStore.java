package dev.millrace.internal.store.sql;

import dev.millrace.MisfirePolicy;
import dev.millrace.TenantId;
import dev.millrace.internal.store.FirePlanner;
import dev.millrace.internal.store.FirePlanner.Decision;
import dev.millrace.internal.store.JobStore;
import dev.millrace.internal.store.NewJob;
import dev.millrace.internal.store.NewSchedule;
import dev.millrace.internal.store.ScheduleRow;
import dev.millrace.internal.store.ScheduleStore;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The one JDBC implementation of {@link ScheduleStore}. Firing claims due rows with {@code FOR UPDATE SKIP LOCKED}
 * on PostgreSQL (other nodes skip them); on H2 it reads them unlocked and advances each with an update that only
 * wins while the row still has the fire time it read, so of two nodes only one fires an occurrence either way.
 */
final class SqlScheduleStore implements ScheduleStore {
    private static final int ERROR_MAX = 1000;
    private static final String COLUMNS = "s.id, s.tenant_id, s.name, s.cron, s.zone, s.class_name, s.payload, s.state,"
            + " s.misfire_policy, s.allow_overlap, s.next_fire_at, s.last_fire_at, s.last_job_id, s.fire_count,"
            + " s.skip_count, s.last_error, s.created_at";

    private final Jdbc jdbc;
    private final SqlDialect dialect;
    private final Tables t;
    private final String table;
    private final JobStore jobs;
    private final String selectSql;

    SqlScheduleStore(Jdbc jdbc, SqlDialect dialect, Tables tables, JobStore jobs) {
        this.jdbc = jdbc;
        this.dialect = dialect;
        this.t = tables;
        // The schedule table sits beside the job table, in the same (quoted) schema.
        this.table = tables.job().substring(0, tables.job().length() - "mr_job".length()) + "mr_schedule";
        this.jobs = jobs;
        // Whether the last occurrence's job is still queued or running is read from the queue: no write is needed
        // when a scheduled job ends.
        this.selectSql = "SELECT " + COLUMNS + ", EXISTS (SELECT 1 FROM " + t.queue()
                + " q WHERE q.job_id = s.last_job_id) AS last_job_active FROM " + table + " s";
    }

    // ---- create

    @Override
    public InsertOutcome insert(NewSchedule s, int maxPerTenant) {
        return jdbc.inTransaction("create schedule " + s.name(), c -> {
            // Serialise creations per tenant on its row, so two concurrent creations cannot both take the last slot.
            try (PreparedStatement ps = c.prepareStatement("SELECT tenant_id FROM " + t.tenant()
                    + " WHERE tenant_id = ? FOR UPDATE")) {
                ps.setString(1, s.tenant().value());
                ps.executeQuery().close();
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table
                    + " WHERE tenant_id = ? AND name = ? AND state = ?")) {
                ps.setString(1, s.tenant().value());
                ps.setString(2, s.name());
                ps.setString(3, ScheduleRow.COMPLETED);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) AS n,"
                    + " SUM(CASE WHEN name = ? THEN 1 ELSE 0 END) AS same FROM " + table
                    + " WHERE tenant_id = ? AND state <> ?")) {
                ps.setString(1, s.name());
                ps.setString(2, s.tenant().value());
                ps.setString(3, ScheduleRow.COMPLETED);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getLong("same") > 0) return InsertOutcome.DUPLICATE_NAME;
                    if (rs.getLong("n") >= maxPerTenant) return InsertOutcome.QUOTA_FULL;
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (id, tenant_id, name, cron, zone,"
                    + " class_name, payload, state, misfire_policy, allow_overlap, next_fire_at, created_at, updated_at)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                Jdbc.setUuid(ps, 1, s.id());
                ps.setString(2, s.tenant().value());
                ps.setString(3, s.name());
                ps.setString(4, s.cron());
                ps.setString(5, s.zone());
                ps.setString(6, s.className());
                ps.setString(7, s.payload());
                ps.setString(8, ScheduleRow.ACTIVE);
                ps.setString(9, s.misfirePolicy().name());
                ps.setBoolean(10, s.allowOverlap());
                Jdbc.setInstant(ps, 11, s.nextFireAt());
                Jdbc.setInstant(ps, 12, s.createdAt());
                Jdbc.setInstant(ps, 13, s.createdAt());
                try {
                    ps.executeUpdate();
                } catch (SQLException e) {
                    if (dialect.isUniqueViolation(e)) return InsertOutcome.DUPLICATE_NAME;
                    throw e;
                }
            }
            return InsertOutcome.INSERTED;
        });
    }

    // ---- fire

    @Override
    public int fireDue(Instant now, Instant horizon, int max, FirePlanner planner) {
        return jdbc.inTransaction("fire due schedules", c -> {
            List<ScheduleRow> due = new ArrayList<>();
            // Ordering by the whole index lets H2 read only the LIMIT's rows; PostgreSQL uses its partial index.
            try (PreparedStatement ps = c.prepareStatement(selectSql + " WHERE s.state = ? AND s.next_fire_at <= ?"
                    + " ORDER BY s.state, s.next_fire_at LIMIT ?" + dialect.lockDueRowsClause())) {
                ps.setString(1, ScheduleRow.ACTIVE);
                Jdbc.setInstant(ps, 2, horizon);
                ps.setInt(3, max);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) due.add(row(rs));
                }
            }
            if (due.isEmpty()) return 0;
            List<Decision> decisions = new ArrayList<>(due.size());
            for (ScheduleRow row : due) decisions.add(planner.plan(row));
            List<NewJob> fired = new ArrayList<>();
            int advanced = 0;
            // Every outcome is one shape of update, fenced by the fire time read above: on H2 (rows not locked) the
            // update of a row another node already advanced changes nothing, and that node alone fires it.
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET next_fire_at = ?, state = ?,"
                    + " last_fire_at = COALESCE(?, last_fire_at), last_job_id = COALESCE(?, last_job_id),"
                    + " fire_count = fire_count + ?, skip_count = skip_count + ?, last_error = COALESCE(?, last_error),"
                    + " updated_at = ? WHERE id = ? AND state = ? AND next_fire_at = ?")) {
                for (int k = 0; k < due.size(); k++) {
                    ScheduleRow row = due.get(k);
                    Decision d = decisions.get(k);
                    Instant next = null;
                    String state;
                    Instant firedAt = null;
                    UUID jobId = null;
                    int fires = 0;
                    int skips = 0;
                    String error = null;
                    switch (d) {
                        case FirePlanner.Fire f -> {
                            next = f.next();
                            firedAt = f.fireTime();
                            jobId = f.job().id();
                            fires = 1;
                            skips = f.skipped();
                        }
                        case FirePlanner.Skip s -> {
                            next = s.next();
                            skips = s.skipped();
                        }
                        case FirePlanner.Pause p -> error = truncate(p.error());
                    }
                    state = d instanceof FirePlanner.Pause ? ScheduleRow.PAUSED
                            : next == null ? ScheduleRow.COMPLETED : ScheduleRow.ACTIVE;
                    Jdbc.setInstant(ps, 1, next);
                    ps.setString(2, state);
                    Jdbc.setInstant(ps, 3, firedAt);
                    Jdbc.setUuid(ps, 4, jobId);
                    ps.setInt(5, fires);
                    ps.setInt(6, skips);
                    ps.setString(7, error);
                    Jdbc.setInstant(ps, 8, now);
                    Jdbc.setUuid(ps, 9, row.id());
                    ps.setString(10, ScheduleRow.ACTIVE);
                    Jdbc.setInstant(ps, 11, row.nextFireAt());
                    ps.addBatch();
                }
                int[] counts = ps.executeBatch();
                for (int k = 0; k < counts.length; k++) {
                    if (counts[k] == 0) continue;
                    advanced++;
                    if (decisions.get(k) instanceof FirePlanner.Fire f) fired.add(f.job());
                }
            }
            // The jobs ride in the same transaction: an occurrence is never advanced without its job, nor the reverse.
            jobs.insert(c, fired);
            return advanced;
        });
    }

    @Override
    public Optional<Instant> nextFireAt() {
        return jdbc.inTransaction("find the next fire time", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT MIN(next_fire_at) AS next FROM " + table
                    + " WHERE state = ?")) {
                ps.setString(1, ScheduleRow.ACTIVE);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.ofNullable(Jdbc.getInstant(rs, "next")) : Optional.empty();
                }
            }
        });
    }

    // ---- read

    @Override
    public Optional<ScheduleRow> find(TenantId tenant, UUID id) {
        return one("read schedule " + id, " WHERE s.id = ? AND s.tenant_id = ?", id, tenant.value());
    }

    @Override
    public Optional<ScheduleRow> findByName(TenantId tenant, String name) {
        return one("read schedule " + name, " WHERE s.tenant_id = ? AND s.name = ?", tenant.value(), name);
    }

    private Optional<ScheduleRow> one(String what, String where, Object a, Object b) {
        return jdbc.inTransaction(what, c -> {
            try (PreparedStatement ps = c.prepareStatement(selectSql + where)) {
                ps.setObject(1, a);
                ps.setObject(2, b);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(row(rs)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public List<ScheduleRow> list(TenantId tenant) {
        return jdbc.inTransaction("list schedules of " + tenant, c -> {
            try (PreparedStatement ps = c.prepareStatement(selectSql + " WHERE s.tenant_id = ? ORDER BY s.name")) {
                ps.setString(1, tenant.value());
                List<ScheduleRow> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(row(rs));
                }
                return List.copyOf(out);
            }
        });
    }

    private static ScheduleRow row(ResultSet rs) throws SQLException {
        return new ScheduleRow(Jdbc.getUuid(rs, "id"), new TenantId(rs.getString("tenant_id")), rs.getString("name"),
                rs.getString("cron"), rs.getString("zone"), rs.getString("class_name"), rs.getString("payload"),
                rs.getString("state"), MisfirePolicy.valueOf(rs.getString("misfire_policy")),
                rs.getBoolean("allow_overlap"), Jdbc.getInstant(rs, "next_fire_at"), Jdbc.getInstant(rs, "last_fire_at"),
                Jdbc.getUuid(rs, "last_job_id"), rs.getBoolean("last_job_active"), rs.getLong("fire_count"),
                rs.getLong("skip_count"), rs.getString("last_error"), Jdbc.getInstant(rs, "created_at"));
    }

    // ---- administer

    @Override
    public boolean pause(TenantId tenant, UUID id, Instant now) {
        return update("pause schedule " + id, "state = CASE WHEN state = 'ACTIVE' THEN 'PAUSED' ELSE state END,"
                + " next_fire_at = CASE WHEN state = 'ACTIVE' THEN NULL ELSE next_fire_at END", tenant, id, now);
    }

    @Override
    public boolean resume(TenantId tenant, UUID id, Instant nextFireAt, Instant now) {
        return update("resume schedule " + id, "state = ?, next_fire_at = ?, last_error = NULL", tenant, id, now,
                nextFireAt == null ? ScheduleRow.COMPLETED : ScheduleRow.ACTIVE, nextFireAt);
    }

    @Override
    public boolean changeCron(TenantId tenant, UUID id, String cron, String state, Instant nextFireAt, Instant now) {
        return update("change the cron of schedule " + id, "cron = ?, state = ?, next_fire_at = ?", tenant, id, now,
                cron, state, nextFireAt);
    }

    private boolean update(String what, String set, TenantId tenant, UUID id, Instant now, Object... args) {
        return jdbc.inTransaction(what, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET " + set + ", updated_at = ?"
                    + " WHERE id = ? AND tenant_id = ?")) {
                int i = 1;
                for (Object a : args) {
                    if (a instanceof Instant instant) Jdbc.setInstant(ps, i++, instant);
                    else if (a == null) Jdbc.setInstant(ps, i++, null);
                    else ps.setObject(i++, a);
                }
                Jdbc.setInstant(ps, i++, now);
                Jdbc.setUuid(ps, i++, id);
                ps.setString(i, tenant.value());
                return ps.executeUpdate() > 0;
            }
        });
    }

    @Override
    public boolean delete(TenantId tenant, UUID id) {
        return jdbc.inTransaction("delete schedule " + id, c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE id = ? AND tenant_id = ?")) {
                Jdbc.setUuid(ps, 1, id);
                ps.setString(2, tenant.value());
                return ps.executeUpdate() > 0;
            }
        });
    }

    private static String truncate(String s) {
        return s == null || s.length() <= ERROR_MAX ? s : s.substring(0, ERROR_MAX - 1) + "…";
    }

}
