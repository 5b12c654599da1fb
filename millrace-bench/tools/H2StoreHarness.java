import dev.millrace.Millrace;
import dev.millrace.TenantId;
import dev.millrace.TenantPolicy;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.*;
import java.time.*;
import java.util.*;

/**
 * Store-only H2 harness (not built by Maven): N ready rows in an H2 file store migrated by Millrace, then claims of 64
 * (the pick and the FINAL TABLE update of SqlJobStore.claimPerTenant) and completions of 64 (completeIn's batched
 * update), thread CPU per job for each. Mode {@code one}: one thread does both; {@code two}: a claimer and a
 * completer thread at once ({@code twolock}: taking turns). Run with the bench jar on the class path:
 * {@code java -cp millrace-bench.jar millrace-bench/tools/H2StoreHarness.java 20000 one ['what-if SQL;;…']}
 * ({@code $S} is the schema; {@code -Drounds=6}, {@code -Dopts=';K=V'} for URL settings).
 */
public class H2StoreHarness {
    static final String S = "\"B\".";

    public static void main(String[] a) throws Exception {
        int n = Integer.parseInt(a[0]);
        String mode = a[1];
        String whatIf = a.length > 2 ? a[2] : "";
        Path dir = Files.createTempDirectory("h2h");
        String url = "jdbc:h2:file:" + dir.resolve("db") + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0;LOCK_TIMEOUT=10000"
                + System.getProperty("opts", "");
        var ds = new org.h2.jdbcx.JdbcDataSource();
        ds.setURL(url);
        try (Millrace m = Millrace.builder().dataSource(ds).schema("B").build()) {
            m.tenants().put(TenantId.of("t0"), TenantPolicy.DEFAULTS.withDailyAsyncExecutions(Integer.MAX_VALUE));
        }
        try (Connection c = ds.getConnection()) {
            for (String s : whatIf.split(";;")) if (!s.isBlank()) c.createStatement().execute(s.replace("$S", "\"B\""));
        }
        var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        if (mode.startsWith("two")) {
            for (int round = 0; round < Integer.getInteger("rounds", 6); round++) two(ds, n, mode, round, mode.endsWith("lock"));
            return;
        }
        for (int round = 0; round < Integer.getInteger("rounds", 6); round++) {
            try (Connection c = ds.getConnection()) {
                c.createStatement().execute("TRUNCATE TABLE " + S + "mr_job");
                load(c, n);
                c.setAutoCommit(false);
                long claimCpu = 0, doneCpu = 0, total = 0;
                long t0 = System.nanoTime();
                String pickSql = "SELECT id FROM " + S + "mr_job WHERE state = 0 AND tenant_id = ? AND run_at <= ?"
                        + " AND (CAST(? AS VARCHAR) IS NULL OR LOCATE(',' || job_type || ',', ?) = 0)"
                        + " ORDER BY state, tenant_id, run_at, id LIMIT ?";
                String takeSql = "SELECT id, tenant_id, job_type, class_name, method_name, payload, parent_job_id,"
                        + " stack_depth, max_stack_depth, created_at, run_at, request_id, consecutive_failures, attempt FROM FINAL TABLE"
                        + " (UPDATE " + S + "mr_job SET state = 1, node = ?, lease_expires_at = ?, attempt = attempt + 1,"
                        + " status = 'PROCESSING', started_at = ? WHERE id IN (" + String.join(", ", Collections.nCopies(64, "?")) + ") AND state = 0)";
                String doneSql = "UPDATE " + S + "mr_job SET state = NULL, lease_expires_at = NULL,"
                        + " status = ?, extended_status = ?, number_of_errors = ?, items_processed = ?, completed_at = ?"
                        + " WHERE id = ? AND attempt = ? AND state = 1";
                try (PreparedStatement pick = c.prepareStatement(pickSql); PreparedStatement take = c.prepareStatement(takeSql);
                     PreparedStatement done = c.prepareStatement(doneSql)) {
                    while (true) {
                        long q0 = bean.getCurrentThreadCpuTime();
                        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
                        pick.setString(1, "t0");
                        pick.setObject(2, now);
                        pick.setString(3, null);
                        pick.setString(4, null);
                        pick.setInt(5, 64);
                        List<UUID> ids = new ArrayList<>();
                        try (ResultSet rs = pick.executeQuery()) {
                            while (rs.next()) ids.add(rs.getObject(1, UUID.class));
                        }
                        if (ids.isEmpty()) break;
                        take.setString(1, "node-1");
                        take.setObject(2, now.plusMinutes(5));
                        take.setObject(3, now);
                        for (int k = 0; k < 64; k++) take.setObject(4 + k, ids.get(Math.min(k, ids.size() - 1)));
                        List<Object[]> got = new ArrayList<>();
                        try (ResultSet rs = take.executeQuery()) {
                            while (rs.next()) {
                                rs.getString("payload");
                                got.add(new Object[] {rs.getObject("id", UUID.class), rs.getInt("attempt")});
                            }
                        }
                        c.commit();
                        long q1 = bean.getCurrentThreadCpuTime();
                        got.sort(Comparator.comparing(o -> (UUID) o[0]));
                        OffsetDateTime end = OffsetDateTime.now(ZoneOffset.UTC);
                        for (Object[] g : got) {
                            done.setString(1, "COMPLETED");
                            done.setString(2, null);
                            done.setInt(3, 0);
                            done.setInt(4, 1);
                            done.setObject(5, end);
                            done.setObject(6, g[0]);
                            done.setInt(7, (Integer) g[1]);
                            done.addBatch();
                        }
                        done.executeBatch();
                        c.commit();
                        long q2 = bean.getCurrentThreadCpuTime();
                        claimCpu += q1 - q0;
                        doneCpu += q2 - q1;
                        total += got.size();
                    }
                }
                long wall = System.nanoTime() - t0;
                System.out.printf("%s round %d: %d jobs, claim %.1f us, complete %.1f us CPU per job, wall %.1f us/job%n",
                        mode, round, total, claimCpu / 1e3 / total, doneCpu / 1e3 / total, wall / 1e3 / total);
            }
        }
    }

    static final String PICK = "SELECT id FROM " + S + "mr_job WHERE state = 0 AND tenant_id = ? AND run_at <= ?"
            + " ORDER BY state, tenant_id, run_at, id LIMIT ?";
    static final String TAKE = "SELECT id, tenant_id, job_type, class_name, method_name, payload, parent_job_id,"
            + " stack_depth, max_stack_depth, created_at, run_at, request_id, consecutive_failures, attempt FROM FINAL TABLE"
            + " (UPDATE " + S + "mr_job SET state = 1, node = ?, lease_expires_at = ?, attempt = attempt + 1,"
            + " status = 'PROCESSING', started_at = ? WHERE id IN (" + String.join(", ", Collections.nCopies(64, "?")) + ") AND state = 0)";
    static final String DONE = "UPDATE " + S + "mr_job SET state = NULL, lease_expires_at = NULL,"
            + " status = ?, extended_status = ?, number_of_errors = ?, items_processed = ?, completed_at = ?"
            + " WHERE id = ? AND attempt = ? AND state = 1";

    static void two(javax.sql.DataSource ds, int n, String mode, int round, boolean lock) throws Exception {
        var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (Connection c = ds.getConnection()) {
            c.createStatement().execute("TRUNCATE TABLE " + S + "mr_job");
            load(c, n);
        }
        var queue = new java.util.concurrent.LinkedBlockingQueue<Object[]>();
        Object gate = new Object();
        long[] cpu = new long[2];
        long t0 = System.nanoTime();
        Thread claimer = new Thread(() -> {
            try (Connection c = ds.getConnection(); PreparedStatement pick = c.prepareStatement(PICK);
                 PreparedStatement take = c.prepareStatement(TAKE)) {
                c.setAutoCommit(false);
                while (true) {
                    OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
                    List<Object[]> got = new ArrayList<>();
                    synchronized (lock ? gate : new Object()) {
                        pick.setString(1, "t0");
                        pick.setObject(2, now);
                        pick.setInt(3, 64);
                        List<UUID> ids = new ArrayList<>();
                        try (ResultSet rs = pick.executeQuery()) {
                            while (rs.next()) ids.add(rs.getObject(1, UUID.class));
                        }
                        if (ids.isEmpty()) break;
                        take.setString(1, "node-1");
                        take.setObject(2, now.plusMinutes(5));
                        take.setObject(3, now);
                        for (int k = 0; k < 64; k++) take.setObject(4 + k, ids.get(Math.min(k, ids.size() - 1)));
                        try (ResultSet rs = take.executeQuery()) {
                            while (rs.next()) {
                                rs.getString("payload");
                                got.add(new Object[] {rs.getObject("id", UUID.class), rs.getInt("attempt")});
                            }
                        }
                        c.commit();
                    }
                    queue.addAll(got);
                }
                queue.add(new Object[0]);
            } catch (SQLException e) {
                throw new RuntimeException(e);
            } finally {
                cpu[0] = bean.getCurrentThreadCpuTime();
            }
        });
        Thread completer = new Thread(() -> {
            try (Connection c = ds.getConnection(); PreparedStatement done = c.prepareStatement(DONE)) {
                c.setAutoCommit(false);
                boolean end = false;
                while (!end) {
                    List<Object[]> batch = new ArrayList<>();
                    batch.add(queue.take());
                    queue.drainTo(batch, 1000);
                    List<Object[]> real = new ArrayList<>();
                    for (Object[] o : batch) if (o.length == 0) end = true; else real.add(o);
                    if (real.isEmpty()) continue;
                    real.sort(Comparator.comparing(o -> (UUID) o[0]));
                    OffsetDateTime at = OffsetDateTime.now(ZoneOffset.UTC);
                    synchronized (lock ? gate : new Object()) {
                        for (Object[] g : real) {
                            done.setString(1, "COMPLETED");
                            done.setString(2, null);
                            done.setInt(3, 0);
                            done.setInt(4, 1);
                            done.setObject(5, at);
                            done.setObject(6, g[0]);
                            done.setInt(7, (Integer) g[1]);
                            done.addBatch();
                        }
                        done.executeBatch();
                        c.commit();
                    }
                }
            } catch (Exception e) {
                throw new RuntimeException(e);
            } finally {
                cpu[1] = bean.getCurrentThreadCpuTime();
            }
        });
        claimer.start();
        completer.start();
        claimer.join();
        completer.join();
        long wall = System.nanoTime() - t0;
        System.out.printf("%s round %d: %d jobs, claimer %.1f us, completer %.1f us CPU per job, wall %.1f us/job (%.0f jobs/s)%n",
                mode, round, n, cpu[0] / 1e3 / n, cpu[1] / 1e3 / n, wall / 1e3 / n, n / (wall / 1e9));
    }

    static void load(Connection c, int n) throws SQLException {
        c.setAutoCommit(false);
        Instant base = Instant.now().minusSeconds(60);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + S + "mr_job (id, tenant_id, job_type, class_name,"
                + " method_name, status, parent_job_id, stack_depth, max_stack_depth, created_at, run_at, payload, signature,"
                + " request_id, consecutive_failures, state) VALUES (?, ?, ?, ?, ?, 'QUEUED', ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)")) {
            long msb = System.currentTimeMillis() << 16 | 0x7000;
            Random r = new Random(1);
            for (int i = 0; i < n; i++) {
                ps.setObject(1, new UUID(msb + i, r.nextLong() & 0x3fffffffffffffffL | 0x8000000000000000L));
                ps.setString(2, "t0");
                ps.setString(3, "QUEUEABLE");
                ps.setString(4, "dev.millrace.bench.BenchJob");
                ps.setString(5, null);
                ps.setObject(6, null);
                ps.setInt(7, 1);
                ps.setObject(8, null);
                OffsetDateTime t = OffsetDateTime.ofInstant(base.plusNanos(i * 1000L), ZoneOffset.UTC);
                ps.setObject(9, t);
                ps.setObject(10, t);
                ps.setString(11, "{\"enqueuedNanos\":" + System.nanoTime() + "}");
                ps.setString(12, null);
                ps.setString(13, null);
                ps.setInt(14, 0);
                ps.addBatch();
                if (i % 1000 == 999) {
                    ps.executeBatch();
                    c.commit();
                }
            }
            ps.executeBatch();
            c.commit();
        }
        c.setAutoCommit(true);
    }
}
