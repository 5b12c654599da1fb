package dev.millrace.bench;

import dev.millrace.JobId;
import dev.millrace.JobRecord;
import dev.millrace.Millrace;
import dev.millrace.TenantId;
import dev.millrace.batch.BatchContext;
import dev.millrace.batch.BatchSource;
import dev.millrace.batch.Batchable;
import dev.millrace.batch.Row;
import dev.millrace.batch.Stateful;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Batch: a table of N rows in the same database is processed end to end by one batch (a query source, scope
 * 200, a no-op execute, a stateful counter). Timed from submit until the batch is COMPLETED; the chunk jobs'
 * times split that into start (cutting the source into chunks) and the chunk phase, whose time per chunk is all
 * overhead, since execute does nothing. Then, untimed, the heap after a forced GC is sampled every 250 ms
 * while a tenth of the rows and then all of them are processed: flat when the node's heap does not grow with
 * the row count.
 */
@Command(name = "batch", mixinStandardHelpOptions = true,
        description = {"Process a table of --jobs rows (default " + BatchBench.DEFAULT_ROWS + ") with one batch.",
                "Targets: >= " + BatchBench.TARGET_ROWS_PER_SEC + " rows/s end to end; <= " + BatchBench.TARGET_CHUNK_MS
                        + " ms overhead per chunk; heap after GC not growing with the row count."})
final class BatchBench implements Callable<Integer> {
    static final int DEFAULT_ROWS = 1_000_000;
    static final long TARGET_ROWS_PER_SEC = 200_000;
    static final double TARGET_CHUNK_MS = 2.0;
    private static final long TIMEOUT_MILLIS = TimeUnit.MINUTES.toMillis(10);

    @Mixin
    BenchOptions options;

    @Option(names = "--scope", defaultValue = "200", description = "Records per chunk (default: ${DEFAULT-VALUE}).")
    int scope;

    /** The benchmark's batch: counts rows in its state, does nothing else. */
    public static class CountRows implements Batchable<Row>, Stateful {
        String table;
        long count;

        CountRows() {
        }

        CountRows(String table) {
            this.table = table;
        }

        @Override
        public BatchSource.Query start(BatchContext ctx) {
            return BatchSource.query("SELECT id, amount, name FROM " + table);
        }

        @Override
        public void execute(BatchContext ctx, List<Row> scope) {
            count += scope.size();
        }

        @Override
        public void finish(BatchContext ctx) {
            ctx.log().info("counted {0} rows", count);
        }
    }

    @Override
    public Integer call() throws Exception {
        options.validate();
        int rows = options.jobsOr(DEFAULT_ROWS);
        try (Setup s = Setup.open(options, "batch")) {
            String table = s.table("bench_item");
            s.db.execute("CREATE TABLE " + table + " (id BIGINT PRIMARY KEY, amount NUMERIC(12, 2) NOT NULL,"
                    + " name VARCHAR(40) NOT NULL)");
            s.db.execute("INSERT INTO " + table + " (id, amount, name) SELECT x, x / 100.0, CONCAT('item ', x) FROM "
                    + (s.db.isPostgres() ? "generate_series(1, " + rows + ") AS t(x)" : "SYSTEM_RANGE(1, " + rows + ") AS t(x)"));
            s.db.analyze(table);
            try (Millrace m = node(s).start()) {
                TenantId tenant = s.tenant(0);
                run(m, s, tenant, table, Math.min(rows, 20_000)); // warm-up
                double[] total = new double[5];
                for (int r = 0; r < options.rounds; r++) {
                    double[] t = run(m, s, tenant, table, rows);
                    System.err.printf("batch round %d: %.0f rows/s end to end, start %.0f ms, cut %.0f ms,"
                            + " %.3f ms per chunk%n", r, t[0], t[1], t[4], t[2]);
                    for (int i = 0; i < total.length; i++) total[i] += t[i];
                }
                for (int i = 0; i < total.length; i++) total[i] /= options.rounds;
                double[] floor = commitFloor(s);
                long[] heapSmall = heap(m, s, tenant, table, rows / 10);
                long[] heapFull = heap(m, s, tenant, table, rows);
                Result.of("batch", options, s.db, rows)
                        .put("rounds", options.rounds)
                        .put("scope", scope)
                        .put("chunks", (rows + scope - 1) / scope)
                        .put("rowsPerSec", total[0])
                        .put("startMs", total[1])
                        .put("cutMs", total[4])
                        .put("chunkOverheadMs", total[2])
                        .put("chunkPhaseRowsPerSec", total[3])
                        .put("commitFloorP50Ms", floor[0])
                        .put("commitFloorMeanMs", floor[1])
                        .put("heapAfterGcMaxMb", Math.max(heapSmall[1], heapFull[1]) / 1e6)
                        .put("heapAfterGcMaxMbTenthOfRows", heapSmall[1] / 1e6)
                        .put("heapAfterGcMaxMbAllRows", heapFull[1] / 1e6)
                        .put("heapSamples", heapSmall[0] + heapFull[0])
                        .put("target", ">= " + TARGET_ROWS_PER_SEC + " rows/s; <= " + TARGET_CHUNK_MS + " ms/chunk")
                        .put("met", total[0] >= TARGET_ROWS_PER_SEC && total[2] <= TARGET_CHUNK_MS)
                        .print();
            }
        }
        return 0;
    }

    private Millrace node(Setup s) {
        return Millrace.builder()
                .dataSource(s.millracePool)
                .schema(s.schema)
                .workers(options.workers)
                .claimBatchSize(options.batch)
                .pollInterval(Duration.ofMillis(options.pollMs))
                .register(CountRows.class)
                .build();
    }

    /**
     * One batch over the first {@code rows} rows; returns {rows/s, start ms, ms per chunk, chunk-phase rows/s, cut
     * ms}. The cut's end is when its last chunk job was written (chunk jobs are written with their chunks).
     */
    private double[] run(Millrace m, Setup s, TenantId tenant, String table, int rows) throws InterruptedException {
        CountRows batch = new CountRows("(SELECT * FROM " + table + " WHERE id <= " + rows + ") AS t");
        long t0 = System.nanoTime();
        JobId id = m.executeBatch(tenant, batch, scope);
        JobRecord done = await(m, tenant, id);
        long nanos = System.nanoTime() - t0;
        if (done.status() != dev.millrace.JobStatus.COMPLETED || done.numberOfErrors() > 0) {
            throw new IllegalStateException("batch " + id + " ended " + done.status() + ": " + done.extendedStatus());
        }
        String chunks = "FROM " + s.table("mr_job") + " WHERE parent_job_id = '" + id.value() + "'";
        long firstStart = micros(s, "SELECT MIN(started_at) " + chunks);
        long lastEnd = micros(s, "SELECT MAX(completed_at) " + chunks);
        long batchStart = micros(s, "SELECT started_at FROM " + s.table("mr_job") + " WHERE id = '" + id.value() + "'");
        long cutEnd = micros(s, "SELECT MAX(created_at) " + chunks);
        int n = done.totalJobItems();
        double chunkPhaseMs = (lastEnd - firstStart) / 1000.0;
        // Prune the chunk jobs so rounds do not pile up rows in the job table.
        s.db.execute("DELETE " + chunks);
        return new double[] {rows / (nanos / 1e9), (firstStart - batchStart) / 1000.0, chunkPhaseMs / n,
                rows / (chunkPhaseMs / 1000.0), (cutEnd - batchStart) / 1000.0};
    }

    /**
     * The database's cost of one durable commit right now: a one-row UPDATE and its commit, 200 times on a
     * pooled connection. Every chunk pays at least this; returns {p50 ms, mean ms}.
     */
    private double[] commitFloor(Setup s) throws java.sql.SQLException {
        String table = s.table("bench_floor");
        s.db.execute("CREATE TABLE " + table + " (id INT PRIMARY KEY, n BIGINT NOT NULL)");
        s.db.execute("INSERT INTO " + table + " (id, n) VALUES (1, 0)");
        long[] nanos = new long[200];
        try (java.sql.Connection c = s.millracePool.getConnection()) {
            c.setAutoCommit(false);
            try (java.sql.PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET n = n + 1 WHERE id = 1")) {
                for (int i = 0; i < nanos.length; i++) {
                    long t0 = System.nanoTime();
                    ps.executeUpdate();
                    c.commit();
                    nanos[i] = System.nanoTime() - t0;
                }
            }
            c.setAutoCommit(true);
        }
        long sum = 0;
        for (long n : nanos) sum += n;
        long[] sorted = nanos.clone();
        java.util.Arrays.sort(sorted);
        return new double[] {sorted[sorted.length / 2] / 1e6, sum / 1e6 / nanos.length};
    }

    private long micros(Setup s, String sql) {
        String expr = s.db.isPostgres() ? "CAST(EXTRACT(EPOCH FROM x) * 1000000 AS BIGINT)"
                : "DATEDIFF(MICROSECOND, TIMESTAMP WITH TIME ZONE '1970-01-01 00:00:00+00', x)";
        return s.db.queryLong("SELECT " + expr + " FROM (" + sql.replaceFirst("SELECT (.*?) FROM", "SELECT $1 AS x FROM") + ") q");
    }

    /** Runs a batch while sampling the heap after a forced GC; returns {samples, max bytes}. */
    private long[] heap(Millrace m, Setup s, TenantId tenant, String table, int rows) throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        CountRows batch = new CountRows("(SELECT * FROM " + table + " WHERE id <= " + rows + ") AS t");
        JobId id = m.executeBatch(tenant, batch, scope);
        long samples = 0;
        long max = 0;
        long deadline = System.currentTimeMillis() + TIMEOUT_MILLIS;
        while (!m.jobs().find(tenant, id).orElseThrow().status().isTerminal()) {
            if (System.currentTimeMillis() > deadline) throw new IllegalStateException("batch " + id + " did not end");
            System.gc();
            max = Math.max(max, memory.getHeapMemoryUsage().getUsed());
            samples++;
            Thread.sleep(250);
        }
        return new long[] {samples, max};
    }

    private static JobRecord await(Millrace m, TenantId tenant, JobId id) throws InterruptedException {
        long deadline = System.currentTimeMillis() + TIMEOUT_MILLIS;
        while (true) {
            JobRecord j = m.jobs().find(tenant, id).orElseThrow();
            if (j.status().isTerminal()) return j;
            if (System.currentTimeMillis() > deadline) throw new IllegalStateException("batch " + id + " did not end");
            Thread.sleep(5);
        }
    }
}
