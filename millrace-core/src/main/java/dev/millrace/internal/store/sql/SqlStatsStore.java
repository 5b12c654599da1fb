package dev.millrace.internal.store.sql;

import dev.millrace.JobStatus;
import dev.millrace.JobType;
import dev.millrace.TenantId;
import dev.millrace.internal.store.StatsStore;
import dev.millrace.monitoring.EndedJob;
import dev.millrace.monitoring.JobCount;
import dev.millrace.monitoring.MinuteCount;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Monitoring figures in SQL; the per-minute counts use the (tenant_id, completed_at) index. */
final class SqlStatsStore implements StatsStore {
    private final Jdbc jdbc;
    private final Tables t;

    SqlStatsStore(Jdbc jdbc, Tables tables) {
        this.jdbc = jdbc;
        this.t = tables;
    }

    @Override
    public List<JobCount> census() {
        return jdbc.inAutoCommit("count jobs", c -> {
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT tenant_id, job_type, status, COUNT(*) AS n FROM " + t.job()
                         + " GROUP BY tenant_id, job_type, status ORDER BY tenant_id, job_type, status")) {
                List<JobCount> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(new JobCount(new TenantId(rs.getString(1)), JobType.valueOf(rs.getString(2)),
                            JobStatus.valueOf(rs.getString(3)), rs.getLong(4)));
                }
                return out;
            }
        });
    }

    @Override
    public List<MinuteCount> endedPerMinute(TenantId tenant, Instant from, Instant to) {
        // For one tenant, the key's range of its ids up to the end (ended by then means created by then); across
        // tenants, as the census, the whole table: a dashboard's read, not a hot path.
        String sql = "SELECT DATE_TRUNC('MINUTE', completed_at) AS m, tenant_id, status, COUNT(*) AS n FROM " + t.job()
                + " WHERE completed_at >= ? AND completed_at < ?" + (tenant == null ? "" : " AND tenant_id = ? AND id < ?")
                + " GROUP BY DATE_TRUNC('MINUTE', completed_at), tenant_id, status";
        return jdbc.inAutoCommit("count ended jobs", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                Jdbc.setInstant(ps, 1, from);
                Jdbc.setInstant(ps, 2, to);
                if (tenant != null) {
                    ps.setString(3, tenant.value());
                    Jdbc.setUuid(ps, 4, SqlJobStore.idAt(to.plusSeconds(1)));
                }
                List<MinuteCount> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new MinuteCount(Jdbc.getInstant(rs, "m"), new TenantId(rs.getString("tenant_id")),
                                JobStatus.valueOf(rs.getString("status")), rs.getLong("n")));
                    }
                }
                out.sort(Comparator.comparing(MinuteCount::minute).thenComparing(m -> m.tenant().value())
                        .thenComparing(MinuteCount::status));
                return out;
            }
        });
    }

    @Override
    public List<EndedJob> endedOnNode(List<TenantId> tenants, String node, Instant after, Instant upTo, int max) {
        // One range of the key per tenant: a job that ended by upTo was created by then, and ids are time-ordered, so
        // the tenant's ids up to upTo (a second of slack) hold every candidate. There is no index on completed_at
        // (V17 dropped it: one index entry less per completion); a job may end long after it was created, so there
        // is no lower bound: the read walks the tenant's history, as the census in the same metrics pass walks the
        // whole table.
        String sql = "SELECT tenant_id, job_type, status, run_at, started_at, completed_at FROM " + t.job()
                + " WHERE tenant_id = ? AND id < ? AND completed_at > ? AND completed_at <= ? AND node = ?"
                + " ORDER BY completed_at FETCH FIRST " + max + " ROWS ONLY";
        return jdbc.inAutoCommit("read ended jobs", c -> {
            List<EndedJob> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (TenantId tenant : tenants) {
                    ps.setString(1, tenant.value());
                    Jdbc.setUuid(ps, 2, SqlJobStore.idAt(upTo.plusSeconds(1)));
                    Jdbc.setInstant(ps, 3, after);
                    Jdbc.setInstant(ps, 4, upTo);
                    ps.setString(5, node);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            Instant runAt = Jdbc.getInstant(rs, "run_at");
                            Instant started = Jdbc.getInstant(rs, "started_at");
                            Instant done = Jdbc.getInstant(rs, "completed_at");
                            Duration waited = started == null ? null : positive(Duration.between(runAt, started));
                            Duration ran = started == null ? null : positive(Duration.between(started, done));
                            out.add(new EndedJob(new TenantId(rs.getString("tenant_id")),
                                    JobType.valueOf(rs.getString("job_type")), JobStatus.valueOf(rs.getString("status")),
                                    waited, ran, done));
                        }
                    }
                }
            }
            out.sort(Comparator.comparing(EndedJob::completedAt));
            return out.size() > max ? new ArrayList<>(out.subList(0, max)) : out;
        });
    }

    private static Duration positive(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }

    @Override
    public void ping() {
        jdbc.inAutoCommit("check the database", c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
                rs.next();
                return null;
            }
        });
    }
}
