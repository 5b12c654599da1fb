package dev.millrace.internal.engine;

import dev.millrace.BatchPhase;
import dev.millrace.BatchSource;
import dev.millrace.Batchable;
import dev.millrace.JobAbortedException;
import dev.millrace.JobError;
import dev.millrace.JobStatus;
import dev.millrace.JobType;
import dev.millrace.LimitException;
import dev.millrace.LogLevel;
import dev.millrace.Row;
import dev.millrace.Stateful;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
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
 * source, and each chunk reads its own records back. A batch whose node dies is rescued like any job and
 * resumes at its first chunk not ended, with the state the last committed chunk stored.
 */
final class BatchRunner {
    private static final Logger LOG = LoggerFactory.getLogger(BatchRunner.class);
    /** Chunks read from the store in one query. */
    static final int PREFETCH = 32;
    /** Records cut before they are written out (bounds the heap while a source is cut). */
    static final int CUT_FLUSH_RECORDS = 20_000;
    /** Rows a query source's cursor fetches per round trip. */
    static final int FETCH_SIZE = 2_000;
    static final int MESSAGE_MAX = 5_000;
    static final int SCOPE_IDS_MAX = 40_000;

    private enum Outcome { DONE, ABORTED, STOPPED }

    private final Core core;
    private final BatchStore store;
    private final BatchRecords records;
    private final Map<String, DataSource> sources;
    private final BooleanSupplier shuttingDown;

    BatchRunner(Core core, BatchStore store, Map<String, DataSource> sources, BooleanSupplier shuttingDown) {
        this.core = core;
        this.store = store;
        this.records = new BatchRecords(core.codec());
        this.sources = Map.copyOf(sources);
        this.shuttingDown = shuttingDown;
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
        if (row.phase().equals("START")) {
            row = start(ctx, row, type);
            if (row == null) return;
        }
        if (!row.phase().equals("EXECUTE")) return;
        Outcome outcome;
        try {
            outcome = chunks(ctx, row, type);
        } catch (RuntimeException | SQLException e) {
            if (ctx.isAbortRequested()) {
                end(ctx, JobStatus.ABORTED, null, null);
            } else if (shuttingDown.getAsBoolean()) {
                leave(ctx, e);
            } else {
                end(ctx, JobStatus.FAILED, e, BatchPhase.EXECUTE);
            }
            return;
        }
        if (outcome == Outcome.ABORTED) {
            end(ctx, JobStatus.ABORTED, null, null);
            return;
        }
        if (outcome == Outcome.STOPPED) return;
        finish(ctx, row, type);
    }

    // ---- start

    private BatchRow start(BatchContextImpl ctx, BatchRow row, Class<?> type) {
        ClaimedJob job = ctx.job;
        if (!store.beginStart(job.id(), job.attempt(), core.clock().instant())) return null;
        ctx.phase(BatchPhase.START);
        try {
            @SuppressWarnings("unchecked")
            Batchable<Object> batch = (Batchable<Object>) core.codec().read(job.payload(), type, "batch");
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
            if (ctx.openConnection() != null) ctx.openConnection().commit();
            String state = core.codec().write(batch, "batch");
            Cut cut = cut(ctx, source, row.scope(), type);
            if (!store.beginExecute(job.id(), job.attempt(), cut.chunks, cut.records, cut.recordType, state,
                    core.clock().instant())) {
                return null;
            }
            ctx.logger.add(LogLevel.INFO, "batch started: " + cut.records + " records in " + cut.chunks + " chunks of "
                    + row.scope(), null);
            return new BatchRow(row.id(), row.tenant(), row.scope(), "EXECUTE", state, cut.recordType, cut.chunks);
        } catch (Throwable t) {
            Thread.interrupted();
            rollback(ctx.openConnection(), t);
            if (ctx.isAbortRequested()) end(ctx, JobStatus.ABORTED, null, null);
            else if (shuttingDown.getAsBoolean()) leave(ctx, t);
            else end(ctx, JobStatus.FAILED, t, BatchPhase.START);
            return null;
        }
    }

    private record Cut(int chunks, long records, String recordType) {
    }

    private Cut cut(BatchContextImpl ctx, BatchSource<?> source, int scope, Class<?> type) throws Exception {
        return switch (source) {
            case BatchSource.Query q -> cutQuery(ctx, q, scope, type);
            case BatchSource.Items<?> items -> cutItems(ctx, items, scope, type);
        };
    }

    private Cut cutQuery(BatchContextImpl ctx, BatchSource.Query q, int scope, Class<?> type) throws Exception {
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
        if (ds == core.dataSource() && store.cutsInDatabase()) {
            Cut inDatabase = cutInDatabase(ctx, q, scope, ds);
            if (inDatabase != null) return inDatabase;
        }
        ChunkWriter writer = new ChunkWriter(ctx, scope);
        // A server-side cursor: PostgreSQL streams only with autocommit off and a fetch size; the rows are
        // written out chunk by chunk, so the heap holds at most one flush of them.
        try (Connection c = ds.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(q.sql(), ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
                ps.setFetchSize(FETCH_SIZE);
                for (int i = 0; i < q.params().size(); i++) ps.setObject(i + 1, q.params().get(i));
                try (ResultSet rs = ps.executeQuery()) {
                    BatchRecords.Columns cols = BatchRecords.Columns.of(rs.getMetaData());
                    List<Object[]> chunk = new ArrayList<>(scope);
                    long n = 0;
                    while (rs.next()) {
                        if (++n > BatchSource.MAX_QUERY_ROWS) {
                            throw new LimitException("too many query rows for a batch: more than "
                                    + BatchSource.MAX_QUERY_ROWS + " (limit of a query source)");
                        }
                        chunk.add(BatchRecords.read(rs, cols));
                        if (chunk.size() == scope) {
                            writer.add(records.writeRows(cols, chunk), chunk.size());
                            chunk = new ArrayList<>(scope);
                            if ((n & 0xFFFF) == 0) ctx.checkAbort();
                        }
                    }
                    if (!chunk.isEmpty()) writer.add(records.writeRows(cols, chunk), chunk.size());
                }
            } finally {
                c.rollback();
                c.setAutoCommit(auto);
            }
        }
        writer.flush();
        return new Cut(writer.chunks, writer.records, Row.class.getName());
    }

    /**
     * Cuts a query on the Millrace database inside the database, so its rows never travel through this node; null
     * when the query's columns have kinds only the node writes (floating point, date and time: their text forms
     * differ from the node's), too many columns for one JSON row, or the statement fails (the streaming cut then
     * runs and reports the query's own error).
     */
    private Cut cutInDatabase(BatchContextImpl ctx, BatchSource.Query q, int scope, DataSource ds) throws SQLException {
        String sql = q.sql().strip();
        while (sql.endsWith(";")) sql = sql.substring(0, sql.length() - 1).strip();
        BatchRecords.Columns cols;
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            // The driver describes the statement without running it; its parameters must be bound first.
            for (int i = 0; i < q.params().size(); i++) ps.setObject(i + 1, q.params().get(i));
            java.sql.ResultSetMetaData md = ps.getMetaData();
            if (md == null) return null;
            cols = BatchRecords.Columns.of(md);
            for (int i = 0; i < cols.kinds().length; i++) {
                // Bit strings also report as BIT: only real booleans become JSON booleans in the database.
                if (cols.kinds()[i] == 'B' && !"bool".equalsIgnoreCase(md.getColumnTypeName(i + 1))) return null;
            }
        } catch (SQLException e) {
            LOG.debug("batch {}: its query cannot be described ({}); cutting on the node", ctx.job.id(), e.getMessage());
            return null;
        }
        String kinds = new String(cols.kinds());
        if (kinds.isEmpty() || kinds.length() > IN_DATABASE_MAX_COLUMNS || !kinds.matches("[LNSBO]+")) return null;
        UUID base = core.enqueuer().nextId();
        String prefix = base.toString().replace("-", "").substring(0, 24);
        BatchStore.StoredCut cut;
        try {
            cut = store.cutQuery(new BatchStore.QueryCut(ctx.job.id(), ctx.job.tenant(), ctx.job.className(), sql,
                    q.params(), kinds, BatchRecords.rowsHeader(cols), scope, BatchSource.MAX_QUERY_ROWS, prefix,
                    core.clock().instant()));
        } catch (StoreException e) {
            LOG.warn("batch {}: cutting in the database failed ({}); cutting on the node", ctx.job.id(), e.getMessage());
            return null;
        }
        return new Cut(cut.chunks(), cut.records(), Row.class.getName());
    }

    /** PostgreSQL functions take at most 100 arguments: one JSON row is built from at most that many columns. */
    static final int IN_DATABASE_MAX_COLUMNS = 100;

    private Cut cutItems(BatchContextImpl ctx, BatchSource.Items<?> items, int scope, Class<?> type) {
        ChunkWriter writer = new ChunkWriter(ctx, scope);
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

    /** Buffers cut chunks and writes them with their chunk jobs, a flush at a time. */
    private final class ChunkWriter {
        private final BatchContextImpl ctx;
        private final int flushChunks;
        private final List<NewChunk> pending = new ArrayList<>();
        int chunks;
        long records;

        ChunkWriter(BatchContextImpl ctx, int scope) {
            this.ctx = ctx;
            this.flushChunks = Math.max(1, CUT_FLUSH_RECORDS / scope);
        }

        void add(String json, int count) {
            pending.add(new NewChunk(chunks++, core.enqueuer().nextId(), count, json));
            records += count;
            if (pending.size() >= flushChunks) flush();
        }

        void flush() {
            store.addChunks(ctx.job.id(), ctx.job.tenant(), ctx.job.className(), pending, core.clock().instant());
            pending.clear();
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

    private Outcome chunks(BatchContextImpl ctx, BatchRow row, Class<?> type) throws SQLException {
        Chunks state = new Chunks(ctx, row, type);
        Batchable<Object> probe = state.stateful ? state.current : state.instance(row.state());
        int parallel = state.stateful ? 1 : Math.max(1, Math.min(BatchSource.MAX_PARALLEL_CHUNKS, probe.maxParallelChunks()));
        if (parallel > 1) return parallelChunks(state, parallel);
        try (Connection c = core.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try {
                int from = 0;
                boolean firstMarked = false;
                while (true) {
                    List<ChunkRow> page = store.pendingChunks(ctx.job.id(), from, PREFETCH);
                    if (page.isEmpty()) return Outcome.DONE;
                    for (int i = 0; i < page.size(); i++) {
                        if (ctx.isAbortRequested()) return Outcome.ABORTED;
                        ChunkRow chunk = page.get(i);
                        if (!firstMarked) {
                            store.markRunning(List.of(chunk.jobId()), core.nodeId(), ctx.job.attempt(), core.clock().instant());
                        }
                        UUID next = i + 1 < page.size() ? page.get(i + 1).jobId() : null;
                        Outcome o = chunk(state, chunk, c, next);
                        if (o != Outcome.DONE) return o;
                        firstMarked = next != null;
                    }
                    from = page.get(page.size() - 1).seq() + 1;
                    firstMarked = false;
                }
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
        }
    }

    private Outcome parallelChunks(Chunks state, int parallel) throws SQLException {
        BatchContextImpl ctx = state.ctx;
        ExecutorService pool = Executors.newFixedThreadPool(parallel, Thread.ofPlatform().daemon()
                .name("millrace-batch-" + ctx.job.id().toString().substring(0, 8) + "-", 0).factory());
        try {
            int from = 0;
            while (true) {
                List<ChunkRow> page = store.pendingChunks(ctx.job.id(), from, Math.max(PREFETCH, parallel));
                if (page.isEmpty()) return Outcome.DONE;
                List<Future<Outcome>> running = new ArrayList<>();
                java.util.concurrent.ConcurrentLinkedQueue<ChunkRow> todo = new java.util.concurrent.ConcurrentLinkedQueue<>(page);
                for (int k = 0; k < parallel; k++) {
                    running.add(pool.submit(() -> {
                        try (Connection c = core.dataSource().getConnection()) {
                            c.setAutoCommit(false);
                            try {
                                for (ChunkRow chunk; (chunk = todo.poll()) != null; ) {
                                    if (ctx.isAbortRequested()) return Outcome.ABORTED;
                                    store.markRunning(List.of(chunk.jobId()), core.nodeId(), ctx.job.attempt(),
                                            core.clock().instant());
                                    Outcome o = chunk(state, chunk, c, null);
                                    if (o != Outcome.DONE) return o;
                                }
                                return Outcome.DONE;
                            } finally {
                                c.rollback();
                                c.setAutoCommit(true);
                            }
                        }
                    }));
                }
                Outcome worst = Outcome.DONE;
                for (Future<Outcome> f : running) {
                    Outcome o;
                    try {
                        o = f.get();
                    } catch (InterruptedException e) {
                        // Abort or shutdown: interrupt the running chunks too.
                        running.forEach(r -> r.cancel(true));
                        return ctx.isAbortRequested() ? Outcome.ABORTED : Outcome.STOPPED;
                    } catch (java.util.concurrent.ExecutionException e) {
                        throw e.getCause() instanceof RuntimeException r ? r
                                : new StoreException("a chunk of batch " + ctx.job.id() + " failed to end: " + e.getCause(), e.getCause());
                    }
                    if (o.ordinal() > worst.ordinal()) worst = o;
                }
                if (worst != Outcome.DONE) return worst;
                from = page.get(page.size() - 1).seq() + 1;
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Runs one chunk in the connection's transaction and ends it there (or, when it failed, in a new one). */
    private Outcome chunk(Chunks state, ChunkRow chunk, Connection c, UUID next) throws SQLException {
        BatchContextImpl batchCtx = state.ctx;
        ClaimedJob b = batchCtx.job;
        ClaimedJob chunkJob = new ClaimedJob(chunk.jobId(), b.tenant(), JobType.BATCH_CHUNK, b.className(), null, "",
                b.id(), b.stackDepth(), b.maxStackDepth(), b.attempt(), b.createdAt(), b.runAt(), null, 0);
        BatchContextImpl ctx = new BatchContextImpl(core, chunkJob, batchCtx.policy, batchCtx);
        ctx.adoptConnection(c);
        java.time.Instant started = core.clock().instant();
        Batchable<Object> batch = state.stateful ? state.current : state.instance(state.row.state());
        List<?> scope = null;
        Throwable error = null;
        Executions.set(ctx);
            ctx.limits().attach();
        try {
            scope = state.records(chunk.records());
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
                if (!store.endChunk(c, new ChunkEnd(b.id(), b.attempt(), chunk.jobId(), JobStatus.COMPLETED, null,
                        core.nodeId(), started, core.clock().instant(), newState, next, null))) {
                    c.rollback();
                    lost(batchCtx);
                    return Outcome.STOPPED;
                }
                // Events the chunk published after commit go with its commit, as a queueable's do.
                if (ctx.hasPendingEvents()) core.events().flush(c, ctx.pendingEvents());
                c.commit();
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
            if (!store.endChunk(c, new ChunkEnd(b.id(), b.attempt(), chunk.jobId(),
                    aborted ? JobStatus.ABORTED : JobStatus.FAILED, aborted ? "aborted while running" : je.summary(),
                    core.nodeId(), started, core.clock().instant(), null, aborted ? null : next, errorRow))) {
                c.rollback();
                lost(batchCtx);
                return Outcome.STOPPED;
            }
            c.commit();
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
                if (!store.endBatch(c, new BatchEnd(job.id(), job.tenant(), job.attempt(), status, summary,
                        core.clock().instant(), errorRow), ctx.policy.maxActiveBatches())) {
                    c.rollback();
                    lost(ctx);
                    return;
                }
                ctx.logger.saveLog();
                boolean events = status == JobStatus.COMPLETED && ctx.hasPendingEvents();
                if (events) core.events().flush(c, ctx.pendingEvents());
                c.commit();
                if (events) core.events().afterCommit(ctx.pendingEvents());
                if (errorRow != null) core.events().batchError(job.tenant(), errorRow);
            } catch (RuntimeException | SQLException e) {
                c.rollback();
                throw e;
            }
            core.wake().run();
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
