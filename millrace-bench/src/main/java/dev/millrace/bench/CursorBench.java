package dev.millrace.bench;

import dev.millrace.JobId;
import dev.millrace.JobStatus;
import dev.millrace.Millrace;
import dev.millrace.Queueable;
import dev.millrace.QueueableContext;
import dev.millrace.TenantId;
import dev.millrace.cursor.Cursor;
import dev.millrace.cursor.CursorPolicy;
import dev.millrace.cursor.CursorRow;
import dev.millrace.step.CursorStep;
import dev.millrace.step.Step;
import dev.millrace.step.StepWorkflow;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Cursor: a table of {@code --jobs} rows (id, name, amount) in the bench's schema. Measured per round: opening a
 * cursor over all of it (inside a job run inline, so the time is the open's alone), reading it front to back in
 * fetches of {@code --chunk} rows in one execution, random fetches of 100 rows, and a step workflow whose cursor step
 * processes every row a chunk per execution (a no-op count) on a started node, from kickoff to the last row.
 * The heap is sampled every 10 ms during each phase (used heap, so garbage counts until collected): its peak
 * should not follow the row count.
 */
@Command(name = "cursor", mixinStandardHelpOptions = true,
        description = {"Open a cursor over --jobs rows (default " + CursorBench.DEFAULT_ROWS + "), fetch it whole and"
                + " at random, and run a cursor-step workflow over it end to end."})
final class CursorBench implements Callable<Integer> {
    static final int DEFAULT_ROWS = 1_000_000;
    static final long TIMEOUT_MINUTES = 20;
    static final TenantId TENANT = TenantId.of("t0");

    @Mixin
    BenchOptions options;

    @Option(names = "--chunk", defaultValue = "2000", description = "Rows per fetch and per step execution "
            + "(default: ${DEFAULT-VALUE}, the cursor step's ceiling).")
    int chunk;

    /** Where the inline jobs leave their timings: nanos of open, nanos of the full read, random fetches. */
    static final AtomicLong OPEN_NANOS = new AtomicLong();
    static final AtomicLong READ_NANOS = new AtomicLong();
    static final AtomicLong RANDOM_NANOS = new AtomicLong();
    static final AtomicLong ROWS = new AtomicLong();
    static volatile Cursor cursor;
    static volatile CountDownLatch workflowDone;

    /** Opens the cursor, then reads it whole, then 200 random fetches; each timed. */
    static class OpenAndRead implements Queueable {
        String table;
        int chunk;

        OpenAndRead() {
        }

        OpenAndRead(String table, int chunk) {
            this.table = table;
            this.chunk = chunk;
        }

        @Override
        public void execute(QueueableContext ctx) {
            long t0 = System.nanoTime();
            Cursor c = ctx.cursor("SELECT id, name, amount FROM " + table + " ORDER BY id");
            long t1 = System.nanoTime();
            long sum = 0;
            for (long p = 0; p < c.numRecords(); p += chunk) {
                for (CursorRow r : c.fetch(p, chunk)) sum += (Long) r.get(0);
            }
            long t2 = System.nanoTime();
            Random random = new Random(42);
            for (int i = 0; i < 200; i++) c.fetch(random.nextLong(Math.max(1, c.numRecords() - 100)), 100);
            long t3 = System.nanoTime();
            OPEN_NANOS.set(t1 - t0);
            READ_NANOS.set(t2 - t1);
            RANDOM_NANOS.set(t3 - t2);
            ROWS.set(sum);
            cursor = c;
        }
    }

    /** Counts the rows it is given. */
    static class CountRows extends CursorStep {
        String table;
        int chunk;

        CountRows() {
        }

        CountRows(String table, int chunk) {
            this.table = table;
            this.chunk = chunk;
        }

        @Override
        protected Cursor openCursor(QueueableContext ctx) {
            return ctx.cursor("SELECT id, name, amount FROM " + table + " ORDER BY id");
        }

        @Override
        protected void execute(List<CursorRow> rows, QueueableContext ctx) {
            ROWS.addAndGet(rows.size());
        }

        @Override
        protected int chunkSize() {
            return chunk;
        }
    }

    /** Signals the end of the workflow. */
    static class Done implements Step {
        @Override
        public void execute(QueueableContext ctx) {
            workflowDone.countDown();
        }
    }

    /** Samples used heap every 10 ms while it runs. */
    static final class HeapPeak implements AutoCloseable {
        private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        private final Thread thread;
        private volatile boolean running = true;
        private volatile long peak;

        HeapPeak() {
            System.gc();
            thread = Thread.ofPlatform().daemon().start(() -> {
                while (running) {
                    peak = Math.max(peak, memory.getHeapMemoryUsage().getUsed());
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }

        double peakMb() {
            return peak / 1048576.0;
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join();
        }
    }

    @Override
    public Integer call() throws Exception {
        options.validate();
        if (chunk < 1 || chunk > CursorStep.CHUNK_CEILING) {
            throw new IllegalArgumentException("--chunk " + chunk + " is out of range: expected 1 to "
                    + CursorStep.CHUNK_CEILING);
        }
        int rows = options.jobsOr(DEFAULT_ROWS);
        try (Setup s = Setup.open(options, "cursor")) {
            String table = s.table("bench_row");
            long t0 = System.nanoTime();
            s.db.execute("CREATE TABLE " + table + " (id BIGINT PRIMARY KEY, name VARCHAR(40), amount NUMERIC(12, 2))");
            s.db.execute("INSERT INTO " + table + " SELECT x, 'row ' || x, x * 0.01 FROM "
                    + (s.db.isPostgres() ? "generate_series(1, " + rows + ") AS g(x)" : "SYSTEM_RANGE(1, " + rows + ")"));
            s.db.analyze(table);
            System.err.printf("cursor: loaded %d rows in %.1f s%n", rows, (System.nanoTime() - t0) / 1e9);
            for (int r = 0; r < options.rounds; r++) {
                round(s, table, rows, r);
            }
        }
        return 0;
    }

    private Millrace node(Setup s) {
        return Millrace.builder().dataSource(s.millracePool).schema(s.schema).workers(options.workers)
                .claimBatchSize(options.batch).pollInterval(Duration.ofMillis(options.pollMs))
                .register(OpenAndRead.class).build();
    }

    private void round(Setup s, String table, int rows, int round) throws Exception {
        long chunks = (rows + chunk - 1) / chunk;
        double openPeak;
        double workflowPeak;
        long workflowNanos;
        try (Millrace m = node(s)) {
            // The bench reads the whole table in one execution and opens a cursor per round: lift the per-execution
            // and daily allowances (the defaults are Salesforce's 100 fetches and 50,000 rows per execution).
            m.cursors().putPolicy(TENANT, CursorPolicy.DEFAULTS.withPerExecution(1_000_000, 100_000_000)
                    .withPerDay(1_000_000, Long.MAX_VALUE));
            s.db.truncate(s.table("mr_job"), s.table("mr_job_log"));
            JobId id = m.enqueue(TENANT, new OpenAndRead(table, chunk));
            try (HeapPeak heap = new HeapPeak()) {
                m.runJob(TENANT, id);
                openPeak = heap.peakMb();
            }
            if (m.jobs().find(TENANT, id).orElseThrow().status() != JobStatus.COMPLETED) {
                throw new IllegalStateException("the cursor job failed: " + m.jobs().find(TENANT, id).orElseThrow());
            }
            if (ROWS.get() != (long) rows * (rows + 1) / 2) {
                throw new IllegalStateException("read sum " + ROWS.get() + " of ids: expected " + (long) rows * (rows + 1) / 2);
            }

            s.db.truncate(s.table("mr_job"), s.table("mr_job_log"));
            ROWS.set(0);
            workflowDone = new CountDownLatch(1);
            m.start();
            try (HeapPeak heap = new HeapPeak()) {
                long w0 = System.nanoTime();
                StepWorkflow.of("bench", new CountRows(table, chunk), new Done()).kickoff(m, TENANT);
                if (!workflowDone.await(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                    throw new IllegalStateException("the workflow did not end within " + TIMEOUT_MINUTES + " minutes ("
                            + ROWS.get() + " rows counted)");
                }
                workflowNanos = System.nanoTime() - w0;
                workflowPeak = heap.peakMb();
            }
            if (ROWS.get() != rows) throw new IllegalStateException("workflow counted " + ROWS.get() + " rows: expected " + rows);
        }
        double open = OPEN_NANOS.get() / 1e9;
        double read = READ_NANOS.get() / 1e9;
        double wf = workflowNanos / 1e9;
        System.err.printf("cursor round %d: open %.2f s, read %.2f s, workflow %.2f s%n", round, open, read, wf);
        Result.of("cursor", options, s.db, rows)
                .put("round", round)
                .put("chunk", chunk)
                .put("openSeconds", open)
                .put("openRowsPerSec", rows / open)
                .put("fetchRowsPerSec", rows / read)
                .put("randomFetch100PerSec", 200 / (RANDOM_NANOS.get() / 1e9))
                .put("workflowSeconds", wf)
                .put("workflowRowsPerSec", rows / wf)
                .put("workflowExecutions", chunks + 1)
                .put("workflowMsPerChunkBeyondOpen", (wf - open) * 1000 / chunks)
                .put("peakHeapMbOpenAndRead", openPeak)
                .put("peakHeapMbWorkflow", workflowPeak)
                .put("maxHeapMb", Runtime.getRuntime().maxMemory() / 1048576.0)
                .print();
    }
}
