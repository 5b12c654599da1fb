package dev.millrace.bench;

import dev.millrace.Millrace;
import dev.millrace.TenantId;
import dev.millrace.TenantPolicy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * One schema with both systems in it: Millrace's tables (migrated by building a node once) with the bench's
 * tenants created, and the baseline's table. Millrace and the baseline get separate pools of the same size:
 * workers + 6, the size Millrace gives a pool it opens itself.
 */
final class Setup implements AutoCloseable {
    final BenchOptions options;
    final BenchDb db;
    final String schema;
    final DataSource millracePool;
    final DataSource baselinePool;
    final SkipLockedQueue baseline;
    final List<TenantId> tenants;
    private final boolean ownsDb;

    private Setup(BenchOptions options, BenchDb db, boolean ownsDb, String purpose, List<String> tenantNames) {
        this.options = options;
        this.db = db;
        this.ownsDb = ownsDb;
        this.schema = db.newSchema(purpose);
        int poolSize = options.workers + 6;
        this.millracePool = db.pool("millrace-" + purpose, poolSize);
        this.baselinePool = db.pool("baseline-" + purpose, poolSize);
        this.baseline = new SkipLockedQueue(baselinePool, schema, db.isPostgres());
        baseline.create();
        List<TenantId> ids = new ArrayList<>();
        try (Millrace m = node()) {
            for (String name : tenantNames) {
                TenantId t = TenantId.of(name);
                // The bench measures throughput, not the daily allocation: depth alone enqueues over 1,000,000 jobs.
                m.tenants().put(t, TenantPolicy.DEFAULTS.withDailyAsyncExecutions(Integer.MAX_VALUE));
                ids.add(t);
            }
        }
        this.tenants = List.copyOf(ids);
        if (options.schemaSql != null) {
            for (String sql : options.schemaSql.split(";;")) {
                if (!sql.isBlank()) db.execute(sql.replace("$S", "\"" + schema + "\""));
            }
        }
    }

    /** A setup on a database of its own, with tenants {@code t0 … t(n-1)} from {@code --tenants}. */
    static Setup open(BenchOptions options, String purpose) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < options.tenants; i++) names.add("t" + i);
        return open(options, BenchDb.open(options), true, purpose, names);
    }

    /** A setup in a further schema of an open database, with the named tenants. */
    static Setup open(BenchOptions options, BenchDb db, boolean ownsDb, String purpose, List<String> tenantNames) {
        try {
            return new Setup(options, db, ownsDb, purpose, tenantNames);
        } catch (RuntimeException e) {
            if (ownsDb) db.close();
            throw e;
        }
    }

    /** A new Millrace node on this schema (not started), as the options say; the caller closes it. */
    Millrace node() {
        return nodeBuilder().build();
    }

    /** A builder of such a node, for workloads that register more job classes or set more options. */
    Millrace.Builder nodeBuilder() {
        return Millrace.builder()
                .dataSource(millracePool)
                .schema(schema)
                .workers(options.workers)
                .claimBatchSize(options.batch)
                .pollInterval(Duration.ofMillis(options.pollMs))
                .register(BenchJob.class)
                .register(LimitsOverhead.QueryJob.class);
    }

    /** The tenant for the i-th job or chunk: round robin over the tenants. */
    TenantId tenant(int i) {
        return tenants.get(Math.floorMod(i, tenants.size()));
    }

    String table(String name) {
        return "\"" + schema + "\"." + name;
    }

    /** Millrace's jobs still ready or running. */
    long millraceQueued() {
        // One count per live state, so each reads its partial index rather than the whole job table.
        return db.queryLong("SELECT (SELECT COUNT(*) FROM " + table("mr_job") + " WHERE state = 0) + (SELECT COUNT(*) FROM "
                + table("mr_job") + " WHERE state = 1)");
    }

    /** Rows still in the baseline's table. */
    long baselineQueued() {
        return db.queryLong("SELECT COUNT(*) FROM " + baseline.table());
    }

    /** Empties both systems' job tables between rounds (tenants stay). */
    void reset() {
        db.truncate(table("mr_job"), table("mr_job_log"), baseline.table());
    }

    /** Fresh planner statistics on both systems' tables, after a bulk load. */
    void analyze() {
        db.analyze(table("mr_job"));
        db.analyze(baseline.table());
    }

    @Override
    public void close() {
        if (ownsDb) db.close();
    }
}
