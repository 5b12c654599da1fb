package dev.millrace.internal.store.sql;

import dev.millrace.TenantId;
import dev.millrace.internal.store.ClaimedJob;
import dev.millrace.internal.store.FirePlanner;
import dev.millrace.internal.store.FirePlanner.Decision;
import dev.millrace.internal.store.JobStore;
import dev.millrace.internal.store.NewJob;
import dev.millrace.internal.store.NewSchedule;
import dev.millrace.internal.store.ScheduleRow;
import dev.millrace.internal.store.ScheduleStore;
import dev.millrace.schedule.MisfirePolicy;

import java.sql.Connection;
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
        // Whether the last occurrence's job is still queued or running is read from its row's state: no write is
        // needed when a scheduled job ends.
        this.selectSql = "SELECT " + COLUMNS + ", EXISTS (SELECT 1 FROM " + t.job()
                + " q WHERE q.tenant_id = s.tenant_id AND q.id = s.last_job_id AND q.state IS NOT NULL) AS last_job_active"
                + " FROM " + table + " s";
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
    public Fired fireDue(Instant now, Instant horizon, int max, ClaimFor claimFor, FirePlanner planner) {
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
            if (due.isEmpty()) return new Fired(0, List.of());
            List<Decision> decisions = new ArrayList<>(due.size());
            for (ScheduleRow row : due) decisions.add(planner.plan(row));
            List<Advance> advances = new ArrayList<>(due.size());
            for (int k = 0; k < due.size(); k++) advances.add(Advance.of(due.get(k), decisions.get(k)));
            java.util.Set<UUID> won = dialect.bindsArrays() ? advanceAll(c, advances, now) : advanceEach(c, advances, now);
            List<NewJob> fired = new ArrayList<>();
            for (int k = 0; k < due.size(); k++) {
                if (won.contains(due.get(k).id()) && decisions.get(k) instanceof FirePlanner.Fire f) fired.add(f.job());
            }
            int advanced = won.size();
            // The jobs ride in the same transaction: an occurrence is never advanced without its job, nor the reverse.
            jobs.insert(c, fired);
            List<ClaimedJob> claimed = claimFor == null || fired.isEmpty() ? List.of() : claim(c, fired, claimFor);
            return new Fired(advanced, claimed);
        });
    }

    /**
     * One row's new values.
     *
     * @param id the schedule
     * @param expected the fire time it was read with (the fence)
     */
    private record Advance(UUID id, Instant expected, Instant next, String state, Instant firedAt, UUID jobId, int fires,
                           int skips, String error) {
        static Advance of(ScheduleRow row, Decision d) {
            return switch (d) {
                case FirePlanner.Fire f -> new Advance(row.id(), row.nextFireAt(), f.next(), stateFor(f.next()),
                        f.fireTime(), f.job().id(), 1, f.skipped(), null);
                case FirePlanner.Skip s -> new Advance(row.id(), row.nextFireAt(), s.next(), stateFor(s.next()), null,
                        null, 0, s.skipped(), null);
                case FirePlanner.Pause p -> new Advance(row.id(), row.nextFireAt(), null, ScheduleRow.PAUSED, null, null,
                        0, 0, truncate(p.error()));
            };
        }

        private static String stateFor(Instant next) {
            return next == null ? ScheduleRow.COMPLETED : ScheduleRow.ACTIVE;
        }
    }

    private static final String ADVANCE_SET = " next_fire_at = ?, state = ?, last_fire_at = COALESCE(?, last_fire_at),"
            + " last_job_id = COALESCE(?, last_job_id), fire_count = fire_count + ?, skip_count = skip_count + ?,"
            + " last_error = COALESCE(?, last_error), updated_at = ?";

    /**
     * Advances rows one statement each (batched), each fenced by the fire time read: on H2, where the rows are not
     * locked, the update of a row another node already advanced changes nothing, and that node alone fires it.
     */
    private java.util.Set<UUID> advanceEach(Connection c, List<Advance> advances, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET" + ADVANCE_SET
                + " WHERE id = ? AND state = ? AND next_fire_at = ?")) {
            for (Advance a : advances) {
                Jdbc.setInstant(ps, 1, a.next());
                ps.setString(2, a.state());
                Jdbc.setInstant(ps, 3, a.firedAt());
                Jdbc.setUuid(ps, 4, a.jobId());
                ps.setInt(5, a.fires());
                ps.setInt(6, a.skips());
                ps.setString(7, a.error());
                Jdbc.setInstant(ps, 8, now);
                Jdbc.setUuid(ps, 9, a.id());
                ps.setString(10, ScheduleRow.ACTIVE);
                Jdbc.setInstant(ps, 11, a.expected());
                ps.addBatch();
            }
            int[] counts = ps.executeBatch();
            java.util.Set<UUID> won = new java.util.HashSet<>();
            for (int k = 0; k < counts.length; k++) {
                if (counts[k] > 0) won.add(advances.get(k).id());
            }
            return won;
        }
    }

    /** Advances every row in one statement (PostgreSQL: the rows are locked, the fence is kept all the same). */
    private java.util.Set<UUID> advanceAll(Connection c, List<Advance> advances, Instant now) throws SQLException {
        int n = advances.size();
        Object[][] cols = new Object[9][n];
        for (int k = 0; k < n; k++) {
            Advance a = advances.get(k);
            cols[0][k] = a.id();
            cols[1][k] = a.expected().toString();
            cols[2][k] = a.next() == null ? null : a.next().toString();
            cols[3][k] = a.state();
            cols[4][k] = a.firedAt() == null ? null : a.firedAt().toString();
            cols[5][k] = a.jobId();
            cols[6][k] = a.fires();
            cols[7][k] = a.skips();
            cols[8][k] = a.error();
        }
        String[] types = {"uuid", "text", "text", "varchar", "text", "uuid", "int4", "int4", "varchar"};
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " s SET next_fire_at = CAST(v.next AS"
                + " TIMESTAMPTZ), state = v.state, last_fire_at = COALESCE(CAST(v.fired_at AS TIMESTAMPTZ),"
                + " s.last_fire_at), last_job_id = COALESCE(v.job_id, s.last_job_id), fire_count = s.fire_count + v.fires,"
                + " skip_count = s.skip_count + v.skips, last_error = COALESCE(v.error, s.last_error), updated_at = ?"
                + " FROM unnest(?::uuid[], ?::text[], ?::text[], ?::varchar[], ?::text[], ?::uuid[], ?::int[], ?::int[],"
                + " ?::varchar[]) AS v(id, expected, next, state, fired_at, job_id, fires, skips, error)"
                + " WHERE s.id = v.id AND s.state = 'ACTIVE' AND s.next_fire_at = CAST(v.expected AS TIMESTAMPTZ)"
                + " RETURNING s.id")) {
            Jdbc.setInstant(ps, 1, now);
            for (int i = 0; i < types.length; i++) ps.setArray(i + 2, c.createArrayOf(types[i], cols[i]));
            java.util.Set<UUID> won = new java.util.HashSet<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) won.add(Jdbc.getUuid(rs, "id"));
            }
            return won;
        }
    }

    /** Claims just-inserted jobs for the firing node: attempt 1, started at their fire time. */
    private List<ClaimedJob> claim(Connection c, List<NewJob> fired, ClaimFor claimFor) throws SQLException {
        if (dialect.bindsArrays()) {
            // By the key: the fired jobs' tenants and ids (ids are unique, so the pairs across them match nothing).
            try (PreparedStatement job = c.prepareStatement("UPDATE " + t.job() + " SET state = 1, node = ?,"
                    + " lease_expires_at = ?, attempt = attempt + 1, status = 'PROCESSING', started_at = run_at"
                    + " WHERE tenant_id = ANY(?::varchar[]) AND id = ANY(?::uuid[]) AND state = 0")) {
                job.setString(1, claimFor.node());
                Jdbc.setInstant(job, 2, claimFor.leaseUntil());
                job.setArray(3, c.createArrayOf("varchar", fired.stream().map(j -> j.tenant().value()).distinct().toArray()));
                job.setArray(4, c.createArrayOf("uuid", fired.stream().map(NewJob::id).toArray()));
                job.executeUpdate();
            }
            return claimed(fired);
        }
        java.util.Map<dev.millrace.TenantId, List<UUID>> byTenant = new java.util.LinkedHashMap<>();
        for (NewJob j : fired) byTenant.computeIfAbsent(j.tenant(), k -> new ArrayList<>()).add(j.id());
        try (PreparedStatement job = c.prepareStatement("UPDATE " + t.job() + " SET state = 1, node = ?,"
                + " lease_expires_at = ?, attempt = attempt + 1, status = 'PROCESSING', started_at = run_at"
                + " WHERE " + SqlJobStore.keysIn(SqlJobStore.ID_CHUNK) + " AND state = 0")) {
            for (var tenantIds : byTenant.entrySet()) {
                for (List<UUID> chunk : SqlJobStore.chunks(tenantIds.getValue())) {
                    job.setString(1, claimFor.node());
                    Jdbc.setInstant(job, 2, claimFor.leaseUntil());
                    SqlJobStore.bindKeys(job, 3, tenantIds.getKey(), chunk);
                    job.addBatch();
                }
            }
            job.executeBatch();
        }
        return claimed(fired);
    }

    private static List<ClaimedJob> claimed(List<NewJob> fired) {
        List<ClaimedJob> out = new ArrayList<>(fired.size());
        for (NewJob j : fired) {
            out.add(new ClaimedJob(j.id(), j.tenant(), j.type(), j.className(), j.methodName(), j.payload(),
                    j.parentId(), j.stackDepth(), j.maxStackDepth(), 1, j.createdAt(), j.runAt(), j.requestId(),
                    j.consecutiveFailures(), j.runAt()));
        }
        return out;
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
