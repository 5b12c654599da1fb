package dev.millrace.internal.engine;

import dev.millrace.JobAbortedException;
import dev.millrace.JobError;
import dev.millrace.JobStatus;
import dev.millrace.JobType;
import dev.millrace.LogLevel;
import dev.millrace.batch.BatchPhase;
import dev.millrace.batch.BatchSource;
import dev.millrace.batch.Batchable;
import dev.millrace.batch.Row;
import dev.millrace.batch.Stateful;
import dev.millrace.internal.limits.ExecutionLimits;
import dev.millrace.internal.store.BatchStore;
import dev.millrace.internal.store.BatchStore.BatchEnd;
import dev.millrace.internal.store.BatchStore.BatchErrorRow;
import dev.millrace.internal.store.BatchStore.BatchRow;
import dev.millrace.internal.store.BatchStore.ChunkEnd;
import dev.millrace.internal.store.BatchStore.ChunkRow;
import dev.millrace.internal.store.BatchStore.NewChunk;
import dev.millrace.internal.store.ClaimedJob;
import dev.millrace.internal.store.StoreException;
import dev.millrace.limits.LimitException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;

/**
 * Runs a claimed BATCH job: {@code start} (status PREPARING) and the cut of its source into stored chunks, then
 * every chunk not yet ended, each in its own transaction that also records the chunk's outcome, then
 * {@code finish}; the batch's end commits with finish's work and lets the flex queue move on.
 *
 * <p>Nothing of the source is held across executions: chunks are cut into the store as start streams the
 * source, and each chunk reads its own records back. A query source is cut on a thread of its own while the
 * chunks already stored run (phase CUT), so the batch does not wait for the whole cut before its first chunk;
 * an iterable is cut first (its size is checked against the tenant's limit before any chunk runs). A batch whose
 * node dies is rescued like any job and resumes at its first chunk not ended, with the state the last committed
 * chunk stored; if it died while cutting, the cut resumes after the records already stored.
 */
final class BatchRunner {
    private static final Logger LOG = LoggerFactory.getLogger(BatchRunner.class);
    /** Chunks read from the store in one query. */
    static final int PREFETCH = 32;
    /**
     * Records cut before they are written out (bounds the heap while a source is cut); a query's cursor fetches as
     * many rows per round trip, rounded to whole chunks.
     */
    static final int CUT_FLUSH_RECORDS = 5_000;
    /** Rows of a query's first fetch, at least: small, so the first chunks are stored soon. */
    static final int FIRST_FETCH_ROWS = 100;
    static final int MESSAGE_MAX = 5_000;
    static final int SCOPE_IDS_MAX = 40_000;
    /** How long the chunk loop waits for the cut at a time before it looks at abort again. */
    static final long CUT_WAIT_MILLIS = 100;
    /** How long stopping a cut waits for its thread (a flush in progress) to end. */
    static final long CUT_STOP_MILLIS = 10_000;

    private enum Outcome { DONE, ABORTED, STOPPED }

    private final Core core;
    private final BatchStore store;
    private final BatchRecords records;
    private final Map<String, DataSource> sources;
    private final java.util.concurrent.Semaphore cutsBesideChunks;
    private final BooleanSupplier shuttingDown;

    /**
     * @param cutsBesideChunks permits for cuts on a thread of their own, shared by the node's runners (see
     *                         {@link #cutsBesideChunks(int)})
     */
    BatchRunner(Core core, BatchStore store, Map<String, DataSource> sources,
                java.util.concurrent.Semaphore cutsBesideChunks, BooleanSupplier shuttingDown) {
        this.core = core;
        this.store = store;
        this.records = new BatchRecords(core.codec());
        this.sources = Map.copyOf(sources);
        this.cutsBesideChunks = cutsBesideChunks;
        this.shuttingDown = shuttingDown;
    }

    /**
     * How many batches of a node may cut their query beside their chunks at once: half the workers, 1 to 4. Such a
     * batch holds two connections for a while (its chunks' and its query's cursor), where a worker otherwise holds
     * one; the bound keeps that within the six connections a pool has beyond one per worker, so the cuts' and
     * chunks' short transactions always find one. A further batch cuts its query before its first chunk.
     */
    static int cutsBesideChunks(int workers) {
        return Math.max(1, Math.min(4, workers / 2));
    }

    /** Runs the batch as far as this attempt can; it ends the batch itself. */
    void run(BatchContextImpl ctx) {
        ClaimedJob job = ctx.job;
        BatchRow row;
        Class<?> type;
        try {
            type = core.registry().jobClass(job.className());
            row = store.load(job.id()).orElseThrow(() -> new IllegalStateException("batch " + job.id()
                    + " has no batch row: expected a job submitted with executeBatch"));
        } catch (RuntimeException e) {
            end(ctx, JobStatus.FAILED, e, BatchPhase.START);
            return;
        }
        Cutter cutter = null;
        try {
            if (row.phase().equals("START")) {
                Started started = start(ctx, row, type);
                if (started == null) return;
                row = started.row();
                cutter = started.cutter();
            } else if (row.phase().equals("CUT")) {
                cutter = resumeCut(ctx, row, type);
                if (cutter == null) return;
            }
            if (!row.phase().equals("EXECUTE") && !row.phase().equals("CUT")) return;
            Outcome outcome = null;
            Throwable failure = null;
            BatchPhase failedIn = null;
            try {
                outcome = chunks(ctx, row, type, cutter == null ? ChunkFeed.cut() : cutter.feed);
            } catch (CutFailed e) {
                failure = e.getCause();
                failedIn = BatchPhase.START;
            } catch (RuntimeException | SQLException e) {
                failure = e;
                failedIn = BatchPhase.EXECUTE;
            }
            // The batch ends only once its cut stopped: no chunk is stored after the end marked the rest ABORTED.
            if (cutter != null) cutter.stop();
            if (failure != null) {
                if (ctx.isAbortRequested()) end(ctx, JobStatus.ABORTED, null, null);
                else if (shuttingDown.getAsBoolean()) leave(ctx, failure);
                else end(ctx, JobStatus.FAILED, failure, failedIn);
                return;
            }
            if (outcome == Outcome.ABORTED) {
                end(ctx, JobStatus.ABORTED, null, null);
                return;
            }
            if (outcome == Outcome.STOPPED) return;
            finish(ctx, row, type);
        } finally {
            if (cutter != null) cutter.stop();
        }
    }

    // ---- start

    /** The batch after start: its row, and the cut still running beside the chunks (null once the cut is whole). */
    private record Started(BatchRow row, Cutter cutter) {
    }

    private Started start(BatchContextImpl ctx, BatchRow row, Class<?> type) {
        ClaimedJob job = ctx.job;
        if (!store.beginStart(job.tenant(), job.id(), job.attempt(), core.clock().instant())) return null;
        ctx.phase(BatchPhase.START);
        try {
            @SuppressWarnings("unchecked")
            Batchable<Object> batch = (Batchable<Object>) core.codec().read(job.payload(), type, "batch");
            BatchSource<?> source = callStart(ctx, batch);
            if (ctx.openConnection() != null) ctx.openConnection().commit();
            String state = core.codec().write(batch, "batch");
            if (source instanceof BatchSource.Query q) {
                DataSource ds = querySource(q, row.scope(), type);
                if (!store.beginCut(job.tenant(), job.id(), job.attempt(), state, Row.class.getName(), core.clock().instant())) {
                    return null;
                }
                Cutter cutter = new Cutter(ctx, q, ds, row.scope(), new BatchStore.CutSoFar(0, 0));
                cutter.start(cutsBesideChunks.tryAcquire());
                return new Started(new BatchRow(row.id(), row.tenant(), row.scope(), "CUT", state, Row.class.getName(),
                        0), cutter);
            }
            Cut cut = cutItems(ctx, (BatchSource.Items<?>) source, row.scope(), type);
            if (!store.beginExecute(job.tenant(), job.id(), job.attempt(), cut.chunks, cut.records, cut.recordType, state,
                    core.clock().instant())) {
                return null;
            }
            ctx.logger.add(LogLevel.INFO, "batch started: " + cut.records + " records in " + cut.chunks + " chunks of "
                    + row.scope(), null);
            return new Started(new BatchRow(row.id(), row.tenant(), row.scope(), "EXECUTE", state, cut.recordType,
                    cut.chunks), null);
        } catch (LostLease e) {
            rollback(ctx.openConnection(), e);
            lost(ctx);
            return null;
        } catch (Throwable t) {
            startFailed(ctx, t);
            return null;
        }
    }

    /**
     * Resumes a cut an earlier attempt left unfinished: start runs again only for its source (its work committed the
     * first time, so this run's is rolled back), and the cut goes on after the records already stored. The chunks
     * stored keep the rows they were cut with; the rest are the query's rows now, which are the same rows where the
     * query has a stable order (ORDER BY a key) and its rows did not change.
     */
    private Cutter resumeCut(BatchContextImpl ctx, BatchRow row, Class<?> type) {
        ClaimedJob job = ctx.job;
        ctx.phase(BatchPhase.START);
        try {
            @SuppressWarnings("unchecked")
            Batchable<Object> batch = (Batchable<Object>) core.codec().read(job.payload(), type, "batch");
            BatchSource<?> source = callStart(ctx, batch);
            rollback(ctx.openConnection(), new IllegalStateException("rolling back start's work on resume"));
            if (!(source instanceof BatchSource.Query q)) {
                throw new IllegalStateException("batch " + job.id() + " was cutting a query source when its attempt "
                        + (job.attempt() - 1) + " stopped, but start now returned " + source.getClass().getSimpleName()
                        + ": expected a query source, to resume its cut");
            }
            DataSource ds = querySource(q, row.scope(), type);
            BatchStore.CutSoFar cut = store.cutSoFar(job.id());
            ctx.logger.add(LogLevel.INFO, "batch resumed: its cut goes on after " + cut.records() + " records in "
                    + cut.chunks() + " chunks", null);
            Cutter cutter = new Cutter(ctx, q, ds, row.scope(), cut);
            cutter.start(cutsBesideChunks.tryAcquire());
            return cutter;
        } catch (Throwable t) {
            startFailed(ctx, t);
            return null;
        }
    }

    /** Start (or a resumed cut's start) threw: rolled back, then aborted, left to another node, or failed. */
    private void startFailed(BatchContextImpl ctx, Throwable t) {
        Thread.interrupted();
        rollback(ctx.openConnection(), t);
        if (ctx.isAbortRequested()) end(ctx, JobStatus.ABORTED, null, null);
        else if (shuttingDown.getAsBoolean()) leave(ctx, t);
        else end(ctx, JobStatus.FAILED, t, BatchPhase.START);
    }

    /** Runs the batch's start; its source, never null. */
    private BatchSource<?> callStart(BatchContextImpl ctx, Batchable<Object> batch) throws Exception {
        Executions.set(ctx);
        ctx.limits().attach();
        BatchSource<?> source;
        try {
            source = batch.start(ctx);
        } finally {
            Executions.clear();
            ExecutionLimits.detach();
        }
        // A limit breached is final even if the batch caught the exception.
        ctx.limits().checkBreach();
        if (source == null) throw new IllegalStateException("start returned null: expected a BatchSource");
        ctx.checkAbort();
        return source;
    }

    private record Cut(int chunks, long records, String recordType) {
    }

    /** Checks a query source against the batch; the data source its query runs on. */
    private DataSource querySource(BatchSource.Query q, int scope, Class<?> type) {
        if (scope > BatchSource.MAX_QUERY_SCOPE) {
            throw new IllegalArgumentException("scope " + scope + " is out of range for a query source: expected 1 to "
                    + BatchSource.MAX_QUERY_SCOPE);
        }
        Class<?> declared = recordType(type);
        if (declared != null && declared != Object.class && declared != Row.class) {
            throw new IllegalArgumentException("batch " + type.getName() + " is a Batchable<" + declared.getSimpleName()
                    + "> but start returned a query source, whose records are Rows: expected Batchable<Row>");
        }
        DataSource ds = q.dataSource() == null ? core.dataSource() : sources.get(q.dataSource());
        if (ds == null) {
            throw new IllegalArgumentException("batch data source '" + q.dataSource() + "' is not registered: expected one"
                    + " of " + sources.keySet() + " (Millrace.builder().applicationDataSource(name, dataSource))");
        }
        return ds;
    }

    /**
     * Cuts a query source on a thread of its own while the batch's chunks run: the rows are streamed with a
     * server-side cursor (autocommit off and a fetch size, so PostgreSQL sends rows in batches) and written out a
     * flush at a time, each flush committed before its chunks may run, so the heap holds at most one flush. The
     * first flushes are small, so the first chunk starts early; the cursor is closed when the cut ends.
     */
    private final class Cutter {
        final ChunkFeed feed = new ChunkFeed();
        private final BatchContextImpl ctx;
        private final BatchSource.Query query;
        private final DataSource ds;
        private final int scope;
        private final BatchStore.CutSoFar from;
        private volatile boolean stopping;
        private volatile Statement statement;
        private Thread thread;

        Cutter(BatchContextImpl ctx, BatchSource.Query query, DataSource ds, int scope, BatchStore.CutSoFar from) {
            this.ctx = ctx;
            this.query = query;
            this.ds = ds;
            this.scope = scope;
            this.from = from;
        }

        /**
         * Cuts on a thread of its own when {@code beside} (a permit taken, given back when the cut ends), else here,
         * whole, before any chunk runs.
         */
        void start(boolean beside) {
            if (!beside) {
                run(false);
                return;
            }
            thread = Thread.ofPlatform().daemon().name("millrace-cut-" + ctx.job.id().toString().substring(0, 8))
                    .start(() -> run(true));
        }

        private void run(boolean permit) {
            try {
                ChunkWriter writer = new ChunkWriter(ctx, scope, from, feed);
                cut(writer);
                writer.flush();
                if (!store.endCut(ctx.job.tenant(), ctx.job.id(), ctx.job.attempt(), writer.chunks, writer.records,
                        core.clock().instant())) {
                    feed.lost();
                    return;
                }
                ctx.logger.add(LogLevel.INFO, "batch cut: " + writer.records + " records in " + writer.chunks
                        + " chunks of " + scope, null);
                feed.cutWhole();
            } catch (LostLease e) {
                feed.lost();
            } catch (Throwable t) {
                feed.failed(t);
            } finally {
                if (permit) cutsBesideChunks.release();
            }
        }

        private void cut(ChunkWriter writer) throws SQLException {
            long skip = from.records();
            int fullFetch = scope * Math.max(1, CUT_FLUSH_RECORDS / scope);
            // A small first fetch (whole chunks), so the first chunks are stored soon; then full ones.
            int fetch = skip > 0 ? fullFetch : Math.min(fullFetch, scope * Math.max(2, FIRST_FETCH_ROWS / scope + 1));
            try (Connection c = ds.getConnection()) {
                boolean auto = c.getAutoCommit();
                c.setAutoCommit(false);
                try (PreparedStatement ps = c.prepareStatement(query.sql(), ResultSet.TYPE_FORWARD_ONLY,
                        ResultSet.CONCUR_READ_ONLY)) {
                    statement = ps;
                    ps.setFetchSize(fetch);
                    for (int i = 0; i < query.params().size(); i++) ps.setObject(i + 1, query.params().get(i));
                    try (ResultSet rs = ps.executeQuery()) {
                        BatchRecords.Columns cols = BatchRecords.Columns.of(rs.getMetaData());
                        List<Object[]> chunk = new ArrayList<>(scope);
                        long n = 0;
                        int fetched = 0;
                        while (rs.next()) {
                            if (++n > BatchSource.MAX_QUERY_ROWS) {
                                throw new LimitException("too many query rows for a batch: more than "
                                        + BatchSource.MAX_QUERY_ROWS + " (limit of a query source)");
                            }
                            // Rows an earlier attempt cut already.
                            if (n > skip) {
                                chunk.add(BatchRecords.read(rs, cols));
                                if (chunk.size() == scope) {
                                    if (stopping || ctx.isAbortRequested()) throw new CutStopped();
                                    writer.add(records.writeRows(cols, chunk), chunk.size());
                                    chunk = new ArrayList<>(scope);
                                }
                            }
                            if (++fetched == fetch) {
                                if (stopping) throw new CutStopped();
                                // The next row is a round trip away, maybe a slow one: store what is cut first.
                                writer.flush();
                                fetched = 0;
                                if (fetch != fullFetch) {
                                    fetch = fullFetch;
                                    rs.setFetchSize(fetch);
                                }
                            }
                        }
                        if (!chunk.isEmpty()) writer.add(records.writeRows(cols, chunk), chunk.size());
                    }
                } finally {
                    statement = null;
                    c.rollback();
                    c.setAutoCommit(auto);
                }
            }
        }

        /** Stops the cut (if it still runs) and waits for its thread, so nothing is stored after this returns. */
        void stop() {
            if (thread == null || !thread.isAlive()) return;
            stopping = true;
            Statement s = statement;
            if (s != null) {
                try {
                    s.cancel();
                } catch (SQLException | RuntimeException e) {
                    LOG.debug("batch {}: could not cancel its cut's query: {}", ctx.job.id(), e.getMessage());
                }
            }
            try {
                thread.join(CUT_STOP_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            // A flush that commits late is fenced: once the batch ended, its chunks are not stored.
            if (thread.isAlive()) {
                LOG.warn("batch {}: its cut did not stop within {} ms", ctx.job.id(), CUT_STOP_MILLIS);
            }
        }
    }

    /** The cut was stopped (abort, shutdown, the chunks ended otherwise). */
    private static final class CutStopped extends RuntimeException {
        CutStopped() {
            super("the cut was stopped", null, false, false);
        }
    }

    /** This attempt no longer owns the batch (another attempt does): it stops and writes nothing more. */
    private static final class LostLease extends RuntimeException {
        LostLease() {
            super("the batch's lease was lost", null, false, false);
        }
    }

    /** The cut running beside the chunks failed: the batch fails in START, as when start itself throws. */
    private static final class CutFailed extends RuntimeException {
        CutFailed(Throwable cause) {
            super(cause.toString(), cause, false, false);
        }
    }

    /**
     * What a cut running beside the chunks has stored so far: the chunk loop reads the stored chunks and, when it
     * has caught up, waits here for the next flush. A feed for a batch whose cut is whole says so at once.
     */
    static final class ChunkFeed {
        private int flushes;
        private boolean whole;
        private boolean lost;
        private Throwable failure;

        /** A feed whose cut is whole. */
        static ChunkFeed cut() {
            ChunkFeed f = new ChunkFeed();
            f.whole = true;
            return f;
        }

        synchronized void published() {
            flushes++;
            notifyAll();
        }

        synchronized void cutWhole() {
            whole = true;
            notifyAll();
        }

        synchronized void lost() {
            lost = true;
            notifyAll();
        }

        synchronized void failed(Throwable t) {
            failure = t;
            notifyAll();
        }

        /** How many flushes committed; read before reading the chunks, so a later flush is never missed. */
        synchronized int flushes() {
            return flushes;
        }

        /** Whether the cut is whole: read before reading the chunks, then nothing is stored after that read. */
        synchronized boolean whole() {
            return whole;
        }

        /** Throws when the cut failed or lost the batch. */
        synchronized void check() {
            if (failure != null) throw new CutFailed(failure);
            if (lost) throw new LostLease();
        }

        /** Waits until a flush after {@code seen} commits or the cut ends, at most {@code millis}. */
        synchronized void await(int seen, long millis) throws InterruptedException {
            if (flushes == seen && !whole && !lost && failure == null) wait(millis);
        }
    }

    private Cut cutItems(BatchContextImpl ctx, BatchSource.Items<?> items, int scope, Class<?> type) {
        ChunkWriter writer = new ChunkWriter(ctx, scope, new BatchStore.CutSoFar(0, 0), null);
        Class<?> declared = recordType(type);
        String recordType = declared == null || declared == Object.class ? null : declared.getName();
        List<Object> chunk = new ArrayList<>();
        long n = 0;
        // An iterable counts against the query-row limit (SPEC BAT-2): the tenant's, not a constant.
        long cap = ctx.policy.asyncLimits().queryRows();
        for (Iterator<?> it = items.items().iterator(); it.hasNext(); ) {
            Object item = it.next();
            if (++n > cap) {
                throw new LimitException("too many records in a batch's iterable: more than " + cap
                        + " (the tenant's query-row limit, policy asyncLimits.queryRows); expected a query source"
                        + " for more");
            }
            if (recordType == null && item != null) recordType = item.getClass().getName();
            chunk.add(item);
            if (chunk.size() == scope) {
                writer.add(records.writeItems(chunk), chunk.size());
                chunk = new ArrayList<>();
            }
        }
        if (!chunk.isEmpty()) writer.add(records.writeItems(chunk), chunk.size());
        writer.flush();
        return new Cut(writer.chunks, writer.records, recordType == null ? Object.class.getName() : recordType);
    }

    /**
     * Buffers cut chunks and writes them with their chunk jobs, a flush at a time, each flush fenced by the batch's
     * attempt. Feeding chunks that run meanwhile, the first flushes are small (one chunk, then twice as many each
     * time up to the full flush), so the first chunk waits for one chunk's rows, not for a full flush.
     */
    private final class ChunkWriter {
        private final BatchContextImpl ctx;
        private final ChunkFeed feed;
        private final int fullFlush;
        private int flushChunks;
        private final List<NewChunk> pending = new ArrayList<>();
        int chunks;
        long records;

        ChunkWriter(BatchContextImpl ctx, int scope, BatchStore.CutSoFar from, ChunkFeed feed) {
            this.ctx = ctx;
            this.feed = feed;
            this.fullFlush = Math.max(1, CUT_FLUSH_RECORDS / scope);
            this.flushChunks = feed == null ? fullFlush : 1;
            this.chunks = from.chunks();
            this.records = from.records();
        }

        void add(String json, int count) {
            pending.add(new NewChunk(chunks++, core.enqueuer().nextId(), count, json));
            records += count;
            if (pending.size() >= flushChunks) flush();
        }

        void flush() {
            if (pending.isEmpty()) return;
            if (!store.addChunks(ctx.job.id(), ctx.job.attempt(), ctx.job.tenant(), ctx.job.className(), pending,
                    chunks, core.clock().instant())) {
                throw new LostLease();
            }
            pending.clear();
            flushChunks = Math.min(fullFlush, flushChunks * 2);
            if (feed != null) feed.published();
        }
    }

    /** The T of the batch class's {@code Batchable<T>}, or null when it is not a class. */
    static Class<?> recordType(Class<?> type) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Type i : c.getGenericInterfaces()) {
                if (i instanceof ParameterizedType p && p.getRawType() == Batchable.class) {
                    Type arg = p.getActualTypeArguments()[0];
                    if (arg instanceof Class<?> k) return k;
                    if (arg instanceof ParameterizedType pk && pk.getRawType() instanceof Class<?> k) return k;
                    return null;
                }
            }
        }
        return null;
    }

    // ---- chunks

    /** One batch's chunk loop: the state between chunks and where the next chunks come from. */
    private final class Chunks {
        final BatchContextImpl ctx;
        final BatchRow row;
        final Class<?> type;
        final boolean stateful;
        final Class<?> recordClass;
        String committedState;
        Batchable<Object> current;

        Chunks(BatchContextImpl ctx, BatchRow row, Class<?> type) {
            this.ctx = ctx;
            this.row = row;
            this.type = type;
            this.stateful = Stateful.class.isAssignableFrom(type);
            this.committedState = row.state();
            this.recordClass = recordClass(row.recordType());
            this.current = stateful ? instance(committedState) : null;
        }

        @SuppressWarnings("unchecked")
        Batchable<Object> instance(String state) {
            return (Batchable<Object>) core.codec().read(state, type, "batch");
        }

        List<?> records(String json) {
            return recordClass == Row.class ? records.readRows(json) : records.readItems(json, recordClass);
        }
    }

    private Class<?> recordClass(String name) {
        if (name == null || name.equals(Row.class.getName())) return Row.class;
        if (name.equals(Object.class.getName())) return Object.class;
        try {
            return Class.forName(name, false, Thread.currentThread().getContextClassLoader() != null
                    ? Thread.currentThread().getContextClassLoader() : BatchRunner.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new dev.millrace.UnknownJobTypeException("record class " + name + " of a batch is not on this node's"
                    + " class path: expected every node that runs the batch to have it");
        }
    }

    private Outcome chunks(BatchContextImpl ctx, BatchRow row, Class<?> type, ChunkFeed feed) throws SQLException {
        Chunks state = new Chunks(ctx, row, type);
        Batchable<Object> probe = state.stateful ? state.current : state.instance(row.state());
        int parallel = state.stateful ? 1 : Math.max(1, Math.min(BatchSource.MAX_PARALLEL_CHUNKS, probe.maxParallelChunks()));
        try (Pending pending = new Pending(ctx, feed)) {
            return parallel > 1 ? parallelChunks(state, parallel, pending) : serialChunks(state, pending);
        } catch (LostLease e) {
            lost(ctx);
            return Outcome.STOPPED;
        }
    }

    /**
     * The chunks one at a time, in order, on one connection. Each chunk's end also marks the next one PROCESSING,
     * so a chunk is marked in a transaction of its own only when it was not stored yet when the one before ended.
     */
    private Outcome serialChunks(Chunks state, Pending pending) throws SQLException {
        BatchContextImpl ctx = state.ctx;
        try (Connection c = core.dataSource().getConnection()) {
            boolean auto = c.getAutoCommit();
            try {
                boolean marked = false;
                Decoded decoded = null;
                for (ChunkRow chunk = pending.next(); chunk != null; chunk = pending.next()) {
                    if (ctx.isAbortRequested()) return Outcome.ABORTED;
                    if (!marked) {
                        store.markRunning(ctx.job.tenant(), List.of(chunk.jobId()), core.nodeId(), ctx.job.attempt(),
                                core.clock().instant());
                    }
                    ChunkRow next = pending.peek();
                    // The next chunk's records are decoded while this one runs and commits.
                    Decoded nextDecoded = next == null ? null : pending.decode(state, next);
                    Outcome o = chunk(state, chunk, c, next == null ? null : next.jobId(),
                            decoded != null && decoded.chunk() == chunk ? decoded : null);
                    if (o != Outcome.DONE) return o;
                    marked = next != null;
                    decoded = nextDecoded;
                }
                return ctx.isAbortRequested() ? Outcome.ABORTED : Outcome.DONE;
            } catch (InterruptedException e) {
                return interrupted(ctx, e);
            } finally {
                if (!c.getAutoCommit()) c.rollback();
                c.setAutoCommit(auto);
            }
        }
    }

    /** Waiting for the cut was interrupted: by an abort, or by the node's shutdown. */
    private Outcome interrupted(BatchContextImpl ctx, InterruptedException e) {
        if (ctx.isAbortRequested()) return Outcome.ABORTED;
        leave(ctx, e);
        return Outcome.STOPPED;
    }

    /**
     * A stateless batch's chunks on up to {@code parallel} threads, each with its own connection, taking the
     * chunks in order as they are stored.
     */
    private Outcome parallelChunks(Chunks state, int parallel, Pending pending) throws SQLException {
        BatchContextImpl ctx = state.ctx;
        ExecutorService pool = Executors.newFixedThreadPool(parallel, Thread.ofPlatform().daemon()
                .name("millrace-batch-" + ctx.job.id().toString().substring(0, 8) + "-", 0).factory());
        try {
            List<Future<Outcome>> running = new ArrayList<>();
            for (int k = 0; k < parallel; k++) {
                running.add(pool.submit(() -> {
                    try (Connection c = core.dataSource().getConnection()) {
                        boolean auto = c.getAutoCommit();
                        try {
                            while (true) {
                                if (ctx.isAbortRequested()) return Outcome.ABORTED;
                                ChunkRow chunk;
                                synchronized (pending) {
                                    chunk = pending.next();
                                }
                                if (chunk == null) return ctx.isAbortRequested() ? Outcome.ABORTED : Outcome.DONE;
                                store.markRunning(ctx.job.tenant(), List.of(chunk.jobId()), core.nodeId(), ctx.job.attempt(),
                                        core.clock().instant());
                                Outcome o = chunk(state, chunk, c, null, null);
                                if (o != Outcome.DONE) return o;
                            }
                        } catch (InterruptedException e) {
                            return ctx.isAbortRequested() ? Outcome.ABORTED : Outcome.STOPPED;
                        } finally {
                            if (!c.getAutoCommit()) c.rollback();
                            c.setAutoCommit(auto);
                        }
                    }
                }));
            }
            Outcome worst = Outcome.DONE;
            RuntimeException failure = null;
            for (Future<Outcome> f : running) {
                Outcome o;
                try {
                    o = f.get();
                } catch (InterruptedException e) {
                    // Abort or shutdown: interrupt the running chunks too.
                    running.forEach(r -> r.cancel(true));
                    return interrupted(ctx, e);
                } catch (java.util.concurrent.ExecutionException e) {
                    if (failure == null) {
                        failure = e.getCause() instanceof RuntimeException r ? r : new StoreException(
                                "a chunk of batch " + ctx.job.id() + " failed to end: " + e.getCause(), e.getCause());
                    }
                    continue;
                }
                if (o.ordinal() > worst.ordinal()) worst = o;
            }
            if (failure != null) throw failure;
            return worst;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The chunks not yet ended, in order, read a page at a time; while a page runs, a reader thread already reads the
     * next one, so the chunks do not wait for their records. When the chunk loop has caught up with a cut that still
     * runs, it waits for the cut's next flush.
     */
    private final class Pending implements AutoCloseable {
        private final BatchContextImpl ctx;
        private final ChunkFeed feed;
        private final java.util.ArrayDeque<ChunkRow> page = new java.util.ArrayDeque<>();
        private final ExecutorService reader;
        private final ExecutorService decoder;
        private Future<List<ChunkRow>> ahead;
        private int from;
        /** The feed's flushes when a read last found nothing: no read is needed again until another flush. */
        private int emptyAt = -1;

        Pending(BatchContextImpl ctx, ChunkFeed feed) {
            this.ctx = ctx;
            this.feed = feed;
            String name = "millrace-chunks-" + ctx.job.id().toString().substring(0, 8);
            this.reader = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name(name).factory());
            this.decoder = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name(name + "-decode")
                    .factory());
        }

        /** Starts decoding a chunk's records on the helper thread. */
        Decoded decode(Chunks state, ChunkRow chunk) {
            java.util.concurrent.FutureTask<List<?>> task = new java.util.concurrent.FutureTask<>(
                    () -> state.records(chunk.records()));
            decoder.execute(task);
            return new Decoded(chunk, task, state);
        }

        /**
         * The next chunk, after waiting for the cut if it must; null when every chunk ran, or on an abort. Throws
         * {@link CutFailed} once the cut failed and {@link LostLease} once it lost the batch.
         */
        ChunkRow next() throws InterruptedException {
            while (true) {
                feed.check();
                ChunkRow chunk = page.poll();
                if (chunk != null) return chunk;
                // Read before the chunks: a flush after this read is one the wait below sees.
                boolean whole = feed.whole();
                int flushes = feed.flushes();
                if (load(flushes)) continue;
                if (whole || ctx.isAbortRequested()) return null;
                feed.await(flushes, CUT_WAIT_MILLIS);
            }
        }

        /** The chunk after the one {@link #next} gave, if it is stored already; null otherwise. */
        ChunkRow peek() throws InterruptedException {
            if (page.isEmpty()) {
                int flushes = feed.flushes();
                if (ahead != null || flushes != emptyAt || feed.whole()) load(flushes);
            }
            return page.peek();
        }

        /** The next page: the one read ahead, or (when that found nothing: it may predate a flush) read now. */
        private boolean load(int flushes) throws InterruptedException {
            List<ChunkRow> rows = ahead == null ? List.of() : readAhead();
            if (rows.isEmpty()) rows = store.pendingChunks(ctx.job.tenant(), ctx.job.id(), from, PREFETCH);
            if (rows.isEmpty()) {
                emptyAt = flushes;
                return false;
            }
            page.addAll(rows);
            from = rows.get(rows.size() - 1).seq() + 1;
            int next = from;
            ahead = reader.submit(() -> store.pendingChunks(ctx.job.tenant(), ctx.job.id(), next, PREFETCH));
            return true;
        }

        private List<ChunkRow> readAhead() throws InterruptedException {
            Future<List<ChunkRow>> f = ahead;
            ahead = null;
            try {
                return f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                throw e.getCause() instanceof RuntimeException r ? r
                        : new StoreException("reading the chunks of batch " + ctx.job.id() + " failed: " + e.getCause(),
                                e.getCause());
            }
        }

        @Override
        public void close() {
            reader.shutdownNow();
            decoder.shutdownNow();
        }
    }

    /** A chunk's records being decoded ahead of it, on the chunk loop's helper thread. */
    private record Decoded(ChunkRow chunk, java.util.concurrent.FutureTask<List<?>> task, Chunks state) {
        /** The records; decoded here if the helper has not begun (so a busy helper never delays the chunk). */
        List<?> records() throws Exception {
            if (task.cancel(false)) return state.records(chunk.records());
            try {
                return task.get();
            } catch (java.util.concurrent.ExecutionException e) {
                throw e.getCause() instanceof Exception x ? x : new IllegalStateException(e.getCause());
            }
        }
    }

    /** Runs one chunk in the connection's transaction and ends it there (or, when it failed, in a new one). */
    private Outcome chunk(Chunks state, ChunkRow chunk, Connection c, UUID next, Decoded decoded)
            throws SQLException {
        BatchContextImpl batchCtx = state.ctx;
        ClaimedJob b = batchCtx.job;
        ClaimedJob chunkJob = new ClaimedJob(chunk.jobId(), b.tenant(), JobType.BATCH_CHUNK, b.className(), null, "",
                b.id(), b.stackDepth(), b.maxStackDepth(), b.attempt(), b.createdAt(), b.runAt(), null, 0, b.startedAt());
        BatchContextImpl ctx = new BatchContextImpl(core, chunkJob, batchCtx.policy, batchCtx);
        // The chunk's transaction: nothing goes to the database until its work or its end uses it.
        c.setAutoCommit(false);
        ctx.adoptConnection(c);
        java.time.Instant started = core.clock().instant();
        Batchable<Object> batch = state.stateful ? state.current : state.instance(state.row.state());
        List<?> scope = null;
        Throwable error = null;
        Executions.set(ctx);
        ctx.limits().attach();
        try {
            scope = decoded != null ? decoded.records() : state.records(chunk.records());
            @SuppressWarnings("unchecked")
            List<Object> records = (List<Object>) scope;
            batch.execute(ctx, records);
            ctx.limits().checkBreach();
            ctx.checkAbort();
        } catch (Throwable t) {
            error = t;
        } finally {
            Executions.clear();
            ExecutionLimits.detach();
        }
        Thread.interrupted();
        try {
            if (error == null) {
                String newState = state.stateful ? core.codec().write(batch, "batch") : null;
                // Work that never used the transaction leaves only the chunk's end to commit: where that is one
                // statement, it runs in autocommit, its own transaction, without a separate commit round trip.
                boolean oneTrip = store.endsChunkInOneStatement() && !ctx.resources.used() && !ctx.hasPendingEvents();
                if (oneTrip) c.setAutoCommit(true);
                java.time.Instant ended = core.clock().instant();
                if (!store.endChunk(c, new ChunkEnd(b.id(), b.tenant(), b.attempt(), chunk.jobId(), JobStatus.COMPLETED, null,
                        core.nodeId(), started, ended, newState, next, null))) {
                    if (!oneTrip) c.rollback();
                    lost(batchCtx);
                    return Outcome.STOPPED;
                }
                // Events the chunk published after commit go with its commit, as a queueable's do.
                if (ctx.hasPendingEvents()) core.events().flush(c, ctx.pendingEvents());
                if (!oneTrip) c.commit();
                core.ended().ended(b.tenant(), JobType.BATCH_CHUNK, JobStatus.COMPLETED, chunk.runAt(), started, ended);
                if (ctx.hasPendingEvents()) core.events().afterCommit(ctx.pendingEvents());
                if (newState != null) state.committedState = newState;
                return Outcome.DONE;
            }
            c.rollback();
            boolean aborted = error instanceof JobAbortedException || batchCtx.isAbortRequested();
            if (!aborted && shuttingDown.getAsBoolean()) {
                leave(batchCtx, error);
                return Outcome.STOPPED;
            }
            if (state.stateful) state.current = state.instance(state.committedState);
            JobError je = JobError.of(error);
            BatchErrorRow errorRow = null;
            if (!aborted) {
                ctx.logger.add(LogLevel.ERROR, "chunk failed: " + je.summary(), je);
                errorRow = errorRow(b.id(), chunk.jobId(), BatchPhase.EXECUTE, je, ids(batch, scope));
            }
            JobStatus status = aborted ? JobStatus.ABORTED : JobStatus.FAILED;
            java.time.Instant ended = core.clock().instant();
            if (!store.endChunk(c, new ChunkEnd(b.id(), b.tenant(), b.attempt(), chunk.jobId(),
                    status, aborted ? "aborted while running" : je.summary(),
                    core.nodeId(), started, ended, null, aborted ? null : next, errorRow))) {
                c.rollback();
                lost(batchCtx);
                return Outcome.STOPPED;
            }
            c.commit();
            core.ended().ended(b.tenant(), JobType.BATCH_CHUNK, status, chunk.runAt(), started, ended);
            if (errorRow != null) core.events().batchError(b.tenant(), errorRow);
            return aborted ? Outcome.ABORTED : Outcome.DONE;
        } finally {
            try {
                ctx.logger.saveLog();
            } catch (RuntimeException e) {
                LOG.warn("could not save the log of chunk {}: {}", chunk.jobId(), e.getMessage());
            }
        }
    }

    /** The failed chunk's record ids, comma-separated, cut at the limit. */
    private static String[] ids(Batchable<Object> batch, List<?> scope) {
        if (scope == null) return new String[] {"", "false"};
        StringBuilder sb = new StringBuilder();
        boolean truncated = false;
        for (Object r : scope) {
            String id;
            try {
                id = batch.recordId(r);
            } catch (RuntimeException e) {
                id = String.valueOf(r);
            }
            if (sb.length() + id.length() + 1 > SCOPE_IDS_MAX) {
                truncated = true;
                break;
            }
            if (!sb.isEmpty()) sb.append(',');
            sb.append(id);
        }
        return new String[] {sb.toString(), Boolean.toString(truncated)};
    }

    private BatchErrorRow errorRow(UUID batch, UUID chunk, BatchPhase phase, JobError e, String[] ids) {
        return new BatchErrorRow(batch, chunk, phase, e.type(), cap(e.message()), cap(e.stackTrace()),
                ids == null ? null : ids[0], ids != null && Boolean.parseBoolean(ids[1]), core.clock().instant());
    }

    private static String cap(String s) {
        return s == null || s.length() <= MESSAGE_MAX ? s : s.substring(0, MESSAGE_MAX);
    }

    // ---- finish and end

    private void finish(BatchContextImpl ctx, BatchRow row, Class<?> type) {
        ctx.phase(BatchPhase.FINISH);
        try {
            String state = Stateful.class.isAssignableFrom(type)
                    ? store.load(row.id()).map(BatchRow::state).orElse(row.state()) : row.state();
            @SuppressWarnings("unchecked")
            Batchable<Object> batch = (Batchable<Object>) core.codec().read(state, type, "batch");
            ctx.limits().restart();
            Executions.set(ctx);
            ctx.limits().attach();
            try {
                batch.finish(ctx);
            } finally {
                Executions.clear();
                ExecutionLimits.detach();
            }
            ctx.limits().checkBreach();
            ctx.checkAbort();
            // Batches finish submitted join its transaction here, so a full flex queue fails finish like its work.
            if (ctx.resources.hasBeforeCommit()) ctx.resources.runBeforeCommit(ctx.transaction());
        } catch (Throwable t) {
            Thread.interrupted();
            rollback(ctx.openConnection(), t);
            if (ctx.isAbortRequested()) end(ctx, JobStatus.ABORTED, null, null);
            else if (shuttingDown.getAsBoolean()) leave(ctx, t);
            else end(ctx, JobStatus.FAILED, t, BatchPhase.FINISH);
            return;
        }
        end(ctx, JobStatus.COMPLETED, null, null);
    }

    /** Ends the batch in its context's transaction (finish's work, if any, commits with it). */
    private void end(BatchContextImpl ctx, JobStatus status, Throwable error, BatchPhase phase) {
        ClaimedJob job = ctx.job;
        JobError je = error == null ? null : JobError.of(error);
        String summary = status == JobStatus.ABORTED ? "aborted while running" : je == null ? null : je.summary();
        if (je != null) ctx.logger.add(LogLevel.ERROR, "batch failed in " + phase + ": " + je.summary(), je);
        else if (status == JobStatus.ABORTED) ctx.logger.add(LogLevel.WARN, "batch aborted", null);
        BatchErrorRow errorRow = je == null ? null : errorRow(job.id(), null, phase, je, null);
        try {
            Connection c = ctx.transaction();
            try {
                java.time.Instant ended = core.clock().instant();
                java.util.OptionalInt abortedChunks = store.endBatch(c, new BatchEnd(job.id(), job.tenant(),
                        job.attempt(), status, summary, ended, errorRow), ctx.policy.maxActiveBatches());
                if (abortedChunks.isEmpty()) {
                    c.rollback();
                    lost(ctx);
                    return;
                }
                ctx.logger.saveLog();
                boolean events = status == JobStatus.COMPLETED && ctx.hasPendingEvents();
                if (events) core.events().flush(c, ctx.pendingEvents());
                c.commit();
                core.ended().ended(job, status, ended);
                if (abortedChunks.getAsInt() > 0) {
                    core.ended().ended(new BatchStore.ChunksAborted(job.tenant(), abortedChunks.getAsInt(), ended));
                }
                if (events) core.events().afterCommit(ctx.pendingEvents());
                if (errorRow != null) core.events().batchError(job.tenant(), errorRow);
            } catch (RuntimeException | SQLException e) {
                c.rollback();
                throw e;
            }
            core.wake().run();
            try {
                store.dropChunks(job.id());
            } catch (RuntimeException e) {
                // The batch admitter's sweep of ended batches deletes them later.
                LOG.warn("could not delete the chunk records of batch {} yet: {}", job.id(), e.getMessage());
            }
        } catch (RuntimeException | SQLException e) {
            LOG.error("could not end batch {}; it will be rescued when its lease expires", job.id(), e);
        }
    }

    private void leave(BatchContextImpl ctx, Throwable t) {
        String message = "batch attempt " + ctx.job.attempt() + " interrupted by the shutdown of node " + core.nodeId()
                + " (" + t + "); to be resumed at its first chunk not ended when its lease expires";
        LOG.warn("batch {}: {}", ctx.job.id(), message);
        ctx.logger.add(LogLevel.WARN, message, null);
    }

    private void lost(BatchContextImpl ctx) {
        String message = "batch attempt " + ctx.job.attempt() + " lost its lease: another attempt owns the batch;"
                + " this attempt stopped and its last chunk was rolled back";
        LOG.warn("batch {}: {}", ctx.job.id(), message);
        ctx.logger.add(LogLevel.WARN, message, null);
    }

    private static void rollback(Connection c, Throwable cause) {
        if (c == null) return;
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }
}
