package dev.millrace.internal.store.sql;

import dev.millrace.JobType;
import dev.millrace.TenantId;
import dev.millrace.internal.store.ClaimRequest;
import dev.millrace.internal.store.ClaimedJob;
import dev.millrace.internal.store.FairStore;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Fair dispatch in SQL. A capped or rate-limited lane (one tenant's jobs of one type) has a row in
 * {@code mr_fair_lane}; a claim of the lane locks that row, counts the lane's running jobs (few: they are bounded by
 * the cap, and found through the index of running rows), refills the token bucket from the time elapsed, and claims
 * in the same transaction. Two nodes claiming the same lane queue on the row lock, so the cap and the rate hold
 * across nodes; lanes without limits never touch it.
 */
final class SqlFairStore implements FairStore {
    private final Jdbc jdbc;
    private final SqlDialect dialect;
    private final Tables t;
    private final SqlJobStore jobs;
    private final String lane;
    private final String usage;

    SqlFairStore(Jdbc jdbc, SqlDialect dialect, Tables tables, SqlJobStore jobs) {
        this.jdbc = jdbc;
        this.dialect = dialect;
        this.t = tables;
        this.jobs = jobs;
        String prefix = tables.job().substring(0, tables.job().length() - "mr_job".length());
        this.lane = prefix + "mr_fair_lane";
        this.usage = prefix + "mr_usage_hour";
    }

    @Override
    public Map<TenantId, Map<JobType, Integer>> readyCounts(Instant now, List<TenantId> tenants, int cap) {
        if (tenants.isEmpty()) return Map.of();
        return jdbc.inTransaction("count ready jobs per tenant", c -> {
            Map<TenantId, Map<JobType, Integer>> out = new LinkedHashMap<>();
            // Each tenant's oldest ready rows by the live index, at most cap: bounded however deep the backlog.
            try (PreparedStatement ps = c.prepareStatement("SELECT job_type FROM " + t.job()
                    + " WHERE state = 0 AND tenant_id = ? AND run_at <= ? ORDER BY state, tenant_id, run_at, id LIMIT ?")) {
                for (TenantId tenant : tenants) {
                    ps.setString(1, tenant.value());
                    Jdbc.setInstant(ps, 2, now);
                    ps.setInt(3, cap);
                    Map<JobType, Integer> counts = new EnumMap<>(JobType.class);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) counts.merge(JobType.valueOf(rs.getString(1)), 1, Integer::sum);
                    }
                    if (!counts.isEmpty()) out.put(tenant, counts);
                }
            }
            return out;
        });
    }

    @Override
    public LaneClaim claimLane(String node, Instant now, Instant leaseUntil, TenantId tenant, JobType type, int want,
                               Integer maxRunning, Integer startsPerSecond) {
        double burst = startsPerSecond == null ? 0 : Math.max(1, startsPerSecond);
        return jdbc.inTransaction("claim jobs of capped lane " + tenant + "/" + type, c -> {
            // An update takes the row lock first: a read after it sees what the previous holder committed (H2's
            // SELECT ... FOR UPDATE may return the version it saw before waiting).
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + lane
                    + " SET tokens = tokens WHERE tenant_id = ? AND job_type = ?")) {
                ps.setString(1, tenant.value());
                ps.setString(2, type.name());
                if (ps.executeUpdate() == 0 && !insertLane(c, tenant, type, burst, now)) {
                    return new LaneClaim(List.of(), Duration.ofMillis(10));
                }
            }
            double tokens;
            Instant refilled;
            try (PreparedStatement ps = c.prepareStatement("SELECT tokens, refilled_at FROM " + lane
                    + " WHERE tenant_id = ? AND job_type = ?")) {
                ps.setString(1, tenant.value());
                ps.setString(2, type.name());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    tokens = rs.getDouble(1);
                    refilled = Jdbc.getInstant(rs, "refilled_at");
                }
            }
            int allowed = want;
            Duration nextToken = null;
            // A claim whose time is before the last refill (another node's clock or pass) refills nothing and keeps
            // the later time, so no interval is ever counted twice.
            Instant refillTo = now.isAfter(refilled) ? now : refilled;
            if (startsPerSecond != null) {
                double elapsed = Duration.between(refilled, refillTo).toNanos() / 1e9;
                tokens = Math.min(burst, tokens + elapsed * startsPerSecond);
                allowed = Math.min(allowed, (int) Math.floor(tokens + 1e-9));
            }
            if (maxRunning != null && allowed > 0) allowed = Math.min(allowed, maxRunning - running(c, tenant, type));
            List<ClaimedJob> claimed = List.of();
            if (allowed > 0) {
                Set<JobType> others = EnumSet.allOf(JobType.class);
                others.remove(type);
                claimed = jobs.claimIn(c, new ClaimRequest(node, now, leaseUntil, List.of(tenant), allowed, allowed,
                        List.of(new ClaimRequest.Lane(allowed, 0, 1, others))));
            }
            if (startsPerSecond != null) {
                tokens -= claimed.size();
                if (tokens < 1) nextToken = Duration.ofNanos((long) Math.ceil((1 - tokens) / startsPerSecond * 1e9));
                try (PreparedStatement ps = c.prepareStatement("UPDATE " + lane
                        + " SET tokens = ?, refilled_at = ? WHERE tenant_id = ? AND job_type = ?")) {
                    ps.setDouble(1, tokens);
                    Jdbc.setInstant(ps, 2, refillTo);
                    ps.setString(3, tenant.value());
                    ps.setString(4, type.name());
                    ps.executeUpdate();
                }
            }
            return new LaneClaim(claimed, nextToken);
        });
    }

    /** Creates the lane's row; false when another node created it at the same moment (the next pass locks it). */
    private boolean insertLane(Connection c, TenantId tenant, JobType type, double tokens, Instant now) throws SQLException {
        java.sql.Savepoint sp = c.setSavepoint();
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + lane
                + " (tenant_id, job_type, tokens, refilled_at) VALUES (?, ?, ?, ?)")) {
            ps.setString(1, tenant.value());
            ps.setString(2, type.name());
            ps.setDouble(3, tokens);
            Jdbc.setInstant(ps, 4, now);
            ps.executeUpdate();
            c.releaseSavepoint(sp);
            return true;
        } catch (SQLException e) {
            if (!dialect.isUniqueViolation(e)) throw e;
            c.rollback(sp);
            return false;
        }
    }

    private int running(Connection c, TenantId tenant, JobType type) throws SQLException {
        // Running rows are few (bounded by the nodes' workers and prefetch): a short range of the live index.
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM " + t.job()
                + " WHERE state = 1 AND lease_expires_at IS NOT NULL AND tenant_id = ? AND job_type = ?")) {
            ps.setString(1, tenant.value());
            ps.setString(2, type.name());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    @Override
    public void addExecutions(String node, Instant hourStart, Map<TenantId, Long> counts) {
        if (counts.isEmpty()) return;
        jdbc.inTransaction("count executions", c -> {
            // Each node writes only its own rows, from one thread: update, else insert, never races.
            try (PreparedStatement up = c.prepareStatement("UPDATE " + usage
                    + " SET executions = executions + ? WHERE tenant_id = ? AND hour_start = ? AND node = ?");
                 PreparedStatement ins = c.prepareStatement("INSERT INTO " + usage
                         + " (tenant_id, hour_start, node, executions) VALUES (?, ?, ?, ?)")) {
                for (Map.Entry<TenantId, Long> e : counts.entrySet()) {
                    up.setLong(1, e.getValue());
                    up.setString(2, e.getKey().value());
                    Jdbc.setInstant(up, 3, hourStart);
                    up.setString(4, node);
                    if (up.executeUpdate() > 0) continue;
                    ins.setString(1, e.getKey().value());
                    Jdbc.setInstant(ins, 2, hourStart);
                    ins.setString(3, node);
                    ins.setLong(4, e.getValue());
                    ins.executeUpdate();
                }
            }
            return null;
        });
    }

    @Override
    public Map<Instant, Long> executions(TenantId tenant, Instant from, String exceptNode) {
        return jdbc.inTransaction("read executions of " + tenant, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT hour_start, SUM(executions) AS n FROM " + usage
                    + " WHERE tenant_id = ? AND hour_start >= ? AND node <> ? GROUP BY hour_start ORDER BY hour_start")) {
                ps.setString(1, tenant.value());
                Jdbc.setInstant(ps, 2, from);
                ps.setString(3, exceptNode);
                Map<Instant, Long> out = new LinkedHashMap<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.put(Jdbc.getInstant(rs, "hour_start"), rs.getLong("n"));
                }
                return out;
            }
        });
    }

    @Override
    public int pruneUsage(Instant before) {
        return jdbc.inTransaction("prune usage", c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + usage + " WHERE hour_start < ?")) {
                Jdbc.setInstant(ps, 1, before);
                return ps.executeUpdate();
            }
        });
    }
}
