package dev.millrace.batch;


import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;

/** Batches the batch tests run; what they did is in the test's tables (bt_done, bt_result) or in EVENTS. */
public final class TestBatches {
    /** What in-process batches did, in order. */
    public static final Queue<String> EVENTS = new ConcurrentLinkedQueue<>();
    static volatile CountDownLatch chunkRunning = new CountDownLatch(1);

    private TestBatches() {
    }

    static void reset() {
        EVENTS.clear();
        chunkRunning = new CountDownLatch(1);
    }

    /** The tables of a schema: items to process, ids done (by chunks that committed), finish's result. */
    public static void createTables(dev.millrace.testing.TestDatabase d, int items) {
        String s = "\"" + d.schema() + "\".";
        d.execute("DROP TABLE IF EXISTS " + s + "bt_item");
        d.execute("DROP TABLE IF EXISTS " + s + "bt_done");
        d.execute("DROP TABLE IF EXISTS " + s + "bt_result");
        d.execute("CREATE TABLE " + s + "bt_item (id BIGINT PRIMARY KEY, amount NUMERIC(12, 2) NOT NULL, name VARCHAR(40))");
        d.execute("CREATE TABLE " + s + "bt_done (id BIGINT NOT NULL, tag VARCHAR(40) NOT NULL)");
        d.execute("CREATE TABLE " + s + "bt_result (tag VARCHAR(40) NOT NULL, total NUMERIC(14, 2), chunks INT, records INT)");
        if (items > 0) {
            d.execute("INSERT INTO " + s + "bt_item (id, amount, name) SELECT x, x / 100.0, CONCAT('item ', x) FROM "
                    + (d.db() == dev.millrace.testing.Db.POSTGRES ? "generate_series(1, " + items + ") AS t(x)"
                    : "SYSTEM_RANGE(1, " + items + ") AS t(x)"));
        }
    }

    /**
     * Creates {@code bt_pause(ms)} in the schema: sleeps, then returns true. In a query's WHERE clause it makes
     * the query slow to stream, row by row, so its cut is still running while its first chunks run.
     */
    public static void createPause(dev.millrace.testing.TestDatabase d) {
        String s = "\"" + d.schema() + "\".";
        if (d.db() == dev.millrace.testing.Db.POSTGRES) {
            d.execute("CREATE OR REPLACE FUNCTION " + s + "bt_pause(ms INT) RETURNS BOOLEAN LANGUAGE plpgsql AS"
                    + " $$ BEGIN PERFORM pg_sleep(ms / 1000.0); RETURN TRUE; END $$");
        } else {
            d.execute("CREATE ALIAS IF NOT EXISTS " + s + "bt_pause FOR '" + TestBatches.class.getName() + ".pause'");
        }
    }

    /** H2's {@code bt_pause}. */
    public static boolean pause(int millis) throws InterruptedException {
        Thread.sleep(millis);
        return true;
    }

    /**
     * Sums the items' amounts across chunks (stateful), marks each id done in the chunk's transaction, fails the
     * chunk holding {@code failOn} after writing, and writes the sum in finish.
     */
    public static class SumItems implements Batchable<Row>, Stateful {
        String schema;
        String tag;
        Set<Long> failOn = Set.of();
        long pauseMillis;
        java.math.BigDecimal total = java.math.BigDecimal.ZERO;
        int chunks;
        int records;

        SumItems() {
        }

        public SumItems(String schema, String tag, Set<Long> failOn, long pauseMillis) {
            this.schema = schema;
            this.tag = tag;
            this.failOn = failOn;
            this.pauseMillis = pauseMillis;
        }

        @Override
        public BatchSource.Query start(BatchContext ctx) {
            EVENTS.add(tag + ":start");
            return BatchSource.query("SELECT id, amount, name FROM \"" + schema + "\".bt_item WHERE id > ? ORDER BY id", 0);
        }

        @Override
        public void execute(BatchContext ctx, List<Row> scope) throws Exception {
            for (Row r : scope) total = total.add(r.getBigDecimal("amount"));
            markDone(ctx, schema, tag, scope);
            chunks++;
            records += scope.size();
            if (pauseMillis > 0) Thread.sleep(pauseMillis);
            for (Row r : scope) {
                if (failOn.contains(r.getLong("id"))) throw new IllegalStateException("item " + r.getLong("id") + " is bad");
            }
        }

        @Override
        public void finish(BatchContext ctx) throws SQLException {
            EVENTS.add(tag + ":finish");
            try (PreparedStatement ps = ctx.connection().prepareStatement("INSERT INTO \"" + schema
                    + "\".bt_result (tag, total, chunks, records) VALUES (?, ?, ?, ?)")) {
                ps.setString(1, tag);
                ps.setBigDecimal(2, total);
                ps.setInt(3, chunks);
                ps.setInt(4, records);
                ps.executeUpdate();
            }
        }
    }

    /**
     * {@link SumItems} over a query that is slow to stream ({@code bt_pause} on each row, in the table's own order):
     * its first chunks run while the rest is still being cut. Each chunk notes its first id in EVENTS.
     */
    public static class SlowCut extends SumItems {
        int rowPauseMillis;
        String extraCondition = "";

        SlowCut() {
        }

        public SlowCut(String schema, String tag, long pauseMillis, int rowPauseMillis) {
            super(schema, tag, Set.of(), pauseMillis);
            this.rowPauseMillis = rowPauseMillis;
        }

        /** Adds a condition to the query's WHERE clause (one that fails mid-way, for instance). */
        SlowCut where(String condition) {
            this.extraCondition = " AND " + condition;
            return this;
        }

        @Override
        public BatchSource.Query start(BatchContext ctx) {
            EVENTS.add(tag + ":start");
            String s = "\"" + schema + "\".";
            return BatchSource.query("SELECT id, amount, name FROM " + s + "bt_item WHERE id > ?" + extraCondition
                    + " AND " + s + "bt_pause(" + rowPauseMillis + ")", 0);
        }

        @Override
        public void execute(BatchContext ctx, List<Row> scope) throws Exception {
            EVENTS.add(tag + ":chunk:" + scope.get(0).getLong("id"));
            super.execute(ctx, scope);
        }
    }

    /** A stateless batch over the same slow query, its chunks four at a time: marks each id done. */
    public static class ParallelSlowCut implements Batchable<Row> {
        String schema;
        String tag;

        ParallelSlowCut() {
        }

        public ParallelSlowCut(String schema, String tag) {
            this.schema = schema;
            this.tag = tag;
        }

        @Override
        public BatchSource.Query start(BatchContext ctx) {
            String s = "\"" + schema + "\".";
            return BatchSource.query("SELECT id FROM " + s + "bt_item WHERE id > ? AND " + s + "bt_pause(2)", 0);
        }

        @Override
        public void execute(BatchContext ctx, List<Row> scope) throws Exception {
            markDone(ctx, schema, tag, scope);
        }

        @Override
        public void finish(BatchContext ctx) {
            EVENTS.add(tag + ":finish");
        }

        @Override
        public int maxParallelChunks() {
            return 4;
        }
    }

    /** An iterable batch without state: records, per chunk, what its counter was when the chunk began. */
    public static class Letters implements Batchable<String> {
        String tag;
        int items;
        int counter;
        boolean failStart;
        boolean failFinish;

        Letters() {
        }

        public Letters(String tag, int items) {
            this.tag = tag;
            this.items = items;
        }

        Letters failing(boolean start, boolean finish) {
            this.failStart = start;
            this.failFinish = finish;
            return this;
        }

        @Override
        public BatchSource<String> start(BatchContext ctx) {
            EVENTS.add(tag + ":start");
            if (failStart) throw new IllegalArgumentException("no letters today");
            counter = 100;
            List<String> out = new ArrayList<>();
            for (int i = 0; i < items; i++) out.add("L" + i);
            return BatchSource.of(out);
        }

        @Override
        public void execute(BatchContext ctx, List<String> scope) {
            EVENTS.add(tag + ":chunk@" + counter + ":" + scope.size());
            counter += scope.size();
        }

        @Override
        public void finish(BatchContext ctx) {
            EVENTS.add(tag + ":finish@" + counter);
            if (failFinish) throw new IllegalStateException("finish broke");
        }
    }

    /** Its second chunk waits for an abort (interrupted or checking); it records every chunk it begins. */
    public static class WaitsInSecondChunk implements Batchable<Integer> {
        int seen;

        @Override
        public BatchSource<Integer> start(BatchContext ctx) {
            return BatchSource.of(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
        }

        @Override
        public void execute(BatchContext ctx, List<Integer> scope) throws InterruptedException {
            EVENTS.add("chunk " + scope);
            if (scope.contains(3)) {
                chunkRunning.countDown();
                while (true) {
                    Thread.sleep(20);
                    ctx.checkAbort();
                }
            }
        }

        @Override
        public void finish(BatchContext ctx) {
            EVENTS.add("finish");
        }
    }

    /** Parallel stateless chunks over an iterable. */
    public static class ParallelLetters extends Letters {
        ParallelLetters() {
        }

        public ParallelLetters(String tag, int items) {
            super(tag, items);
        }

        @Override
        public int maxParallelChunks() {
            return 4;
        }
    }

    /** Marks each row's id done with the tag, in the chunk's transaction. */
    static void markDone(BatchContext ctx, String schema, String tag, List<Row> scope) throws java.sql.SQLException {
        try (PreparedStatement ps = ctx.connection().prepareStatement("INSERT INTO \"" + schema
                + "\".bt_done (id, tag) VALUES (?, ?)")) {
            for (Row r : scope) {
                ps.setLong(1, r.getLong("id"));
                ps.setString(2, tag);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }
}
