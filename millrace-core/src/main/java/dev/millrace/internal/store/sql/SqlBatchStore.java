package dev.millrace.internal.store.sql;

import dev.millrace.JobId;
import dev.millrace.JobRecord;
import dev.millrace.JobStatus;
import dev.millrace.TenantId;
import dev.millrace.batch.BatchError;
import dev.millrace.batch.BatchPhase;
import dev.millrace.internal.store.BatchStore;
import dev.millrace.internal.store.JobStore;
import dev.millrace.internal.store.NewJob;
import dev.millrace.limits.LimitException;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;

/**
 * The JDBC implementation of {@link BatchStore}. Everything that moves the flex queue (submit, admit, reorder,
 * abort while waiting, a batch's end) first locks the tenant's row, so nodes take turns per tenant and the
 * count of active batches cannot be raced past the cap.
 */
final class SqlBatchStore implements BatchStore {
    private static final String ACTIVE_STATUSES = "('QUEUED', 'PREPARING', 'PROCESSING')";
    private static final String ENDED_STATUSES = "('COMPLETED', 'FAILED', 'ABORTED')";
    private static final int EXTENDED_STATUS_MAX = 1000;

    /**
     * Keeps a subquery a subquery: PostgreSQL never turns an {@code EXISTS} whose subquery has an {@code OFFSET} into a
     * join, so it is probed by key for each outer row rather than read whole when the planner misjudges its size.
     */
    private static final String OFFSET_0 = " OFFSET 0";

    private final Jdbc jdbc;
    private final SqlDialect dialect;
    private final Tables t;
    private final JobStore jobs;
    private final String batchTable;
    private final String chunkTable;
    private final String errorTable;

    SqlBatchStore(Jdbc jdbc, SqlDialect dialect, Tables tables, JobStore jobs) {
        this.jdbc = jdbc;
        this.dialect = dialect;
        this.t = tables;
        this.jobs = jobs;
        // Same schema as the job table.
        String prefix = tables.job().substring(0, tables.job().length() - "mr_job".length());
        this.batchTable = prefix + "mr_batch";
        this.chunkTable = prefix + "mr_batch_chunk";
        this.errorTable = prefix + "mr_batch_error";
    }

    // ---- the flex queue

    @Override
    public Admission submit(NewJob job, int scope, Instant notBefore, int maxActive, int capacity) {
        return jdbc.inTransaction("submit batch", c -> submitIn(c, job, scope, notBefore, maxActive, capacity));
    }

    @Override
    public Admission submit(Connection connection, NewJob job, int scope, Instant notBefore, int maxActive, int capacity) {
        return Jdbc.inConnection(connection, "submit batch", c -> submitIn(c, job, scope, notBefore, maxActive, capacity));
    }

    @Override
    public long holdingCount(TenantId tenant) {
        return jdbc.inTransaction("count the flex queue of " + tenant, c -> queryLong(c, "SELECT COUNT(*) FROM "
                + batchTable + " WHERE tenant_id = ? AND admission = 'HOLDING'", tenant.value()));
    }

    private Admission submitIn(Connection c, NewJob job, int scope, Instant notBefore, int maxActive, int capacity)
            throws SQLException {
        {
            lockTenant(c, job.tenant());
            Admission where;
            Long position = null;
            if (notBefore != null) {
                where = Admission.SCHEDULED;
            } else if (active(c, job.tenant()) < maxActive) {
                where = Admission.QUEUED;
            } else {
                long holding = queryLong(c, "SELECT COUNT(*) FROM " + batchTable
                        + " WHERE tenant_id = ? AND admission = 'HOLDING'", job.tenant().value());
                if (holding >= capacity) {
                    throw new LimitException("exceeded the limit of " + capacity + " jobs in the flex queue: tenant '"
                            + job.tenant() + "' has " + maxActive + " active batches and " + holding
                            + " holding (policy maxActiveBatches, flexQueueCapacity); nothing was submitted");
                }
                where = Admission.HOLDING;
                position = nextPosition(c, job.tenant());
            }
            jobs.insert(c, List.of(job));
            if (where != Admission.QUEUED) {
                update(c, "UPDATE " + t.job() + " SET state = NULL, status = 'HOLDING' WHERE tenant_id = ? AND id = ?",
                        job.tenant(), job.id());
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + batchTable + " (job_id, tenant_id, scope,"
                    + " admission, flex_position, not_before, phase, created_at) VALUES (?, ?, ?, ?, ?, ?, 'START', ?)")) {
                Jdbc.setUuid(ps, 1, job.id());
                ps.setString(2, job.tenant().value());
                ps.setInt(3, scope);
                ps.setString(4, where == Admission.QUEUED ? "ACTIVE" : where.name());
                if (position == null) ps.setNull(5, java.sql.Types.BIGINT);
                else ps.setLong(5, position);
                Jdbc.setInstant(ps, 6, notBefore);
                Jdbc.setInstant(ps, 7, job.createdAt());
                ps.executeUpdate();
            }
            return where;
        }
    }

    @Override
    public List<UUID> admit(TenantId tenant, int maxActive, Instant now) {
        return jdbc.inTransaction("admit batches of " + tenant, c -> {
            lockTenant(c, tenant);
            // Batches that ended outside their runner (rescued to FAILED, aborted while queued) free their slot.
            update(c, "UPDATE " + batchTable + " SET admission = 'DONE', phase = 'DONE' WHERE tenant_id = ?"
                    + " AND admission = 'ACTIVE' AND EXISTS (SELECT 1 FROM " + t.job() + " j WHERE j.tenant_id = "
                    + batchTable + ".tenant_id AND j.id = " + batchTable + ".job_id AND j.status IN " + ENDED_STATUSES
                    + OFFSET_0 + ")", tenant);
            List<UUID> due = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT job_id FROM " + batchTable + " WHERE tenant_id = ?"
                    + " AND admission = 'SCHEDULED' AND not_before <= ? ORDER BY not_before, job_id")) {
                ps.setString(1, tenant.value());
                Jdbc.setInstant(ps, 2, now);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) due.add(Jdbc.getUuid(rs, "job_id"));
                }
            }
            long position = nextPosition(c, tenant);
            for (UUID id : due) {
                try (PreparedStatement ps = c.prepareStatement("UPDATE " + batchTable
                        + " SET admission = 'HOLDING', flex_position = ? WHERE job_id = ?")) {
                    ps.setLong(1, position++);
                    Jdbc.setUuid(ps, 2, id);
                    ps.executeUpdate();
                }
            }
            return admitIn(c, tenant, maxActive, now);
        });
    }

    /** Moves the front of the flex queue into free slots; the caller holds the tenant's lock. */
    private List<UUID> admitIn(Connection c, TenantId tenant, int maxActive, Instant now) throws SQLException {
        long free = maxActive - active(c, tenant);
        if (free <= 0) return List.of();
        List<UUID> ids = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT job_id FROM " + batchTable
                + " WHERE tenant_id = ? AND admission = 'HOLDING' ORDER BY flex_position, job_id LIMIT ?")) {
            ps.setString(1, tenant.value());
            ps.setLong(2, free);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) ids.add(Jdbc.getUuid(rs, "job_id"));
            }
        }
        if (ids.isEmpty()) return ids;
        try (PreparedStatement j = c.prepareStatement("UPDATE " + t.job() + " SET state = 0, status = 'QUEUED', run_at = ?"
                + " WHERE tenant_id = ? AND id = ?");
             PreparedStatement b = c.prepareStatement("UPDATE " + batchTable
                     + " SET admission = 'ACTIVE', flex_position = NULL WHERE job_id = ?")) {
            for (UUID id : ids) {
                Jdbc.setInstant(j, 1, now);
                j.setString(2, tenant.value());
                Jdbc.setUuid(j, 3, id);
                j.addBatch();
                Jdbc.setUuid(b, 1, id);
                b.addBatch();
            }
            j.executeBatch();
            b.executeBatch();
        }
        ReadyNotice.sendAtCommit(c, dialect, t, List.of(tenant.value()));
        return ids;
    }

    @Override
    public List<ChunksAborted> endOrphaned(Instant now) {
        return jdbc.inTransaction("end chunks of batches ended outside their runner", c -> {
            // Few rows: chunk rows only exist while their batch runs, so this reads the batches running now.
            record Ended(UUID batch, TenantId tenant) {
            }
            List<Ended> ended = new ArrayList<>();
            List<ChunksAborted> aborted = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT b.job_id, b.tenant_id FROM " + batchTable + " b JOIN "
                    + t.job() + " j ON j.tenant_id = b.tenant_id AND j.id = b.job_id WHERE b.job_id IN"
                    + " (SELECT DISTINCT batch_id FROM " + chunkTable + ") AND j.status IN " + ENDED_STATUSES);
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) ended.add(new Ended(Jdbc.getUuid(rs, "job_id"), new TenantId(rs.getString("tenant_id"))));
            }
            for (Ended e : ended) {
                UUID batch = e.batch();
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + t.job() + " WHERE tenant_id = ? AND id "
                        + dialect.idIn("SELECT job_id FROM " + chunkTable + " WHERE batch_id = ?")
                        + " AND EXISTS (SELECT 1 FROM " + batchTable + " WHERE job_id = ? AND phase = 'START')")) {
                    ps.setString(1, e.tenant().value());
                    Jdbc.setUuid(ps, 2, batch);
                    Jdbc.setUuid(ps, 3, batch);
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement("UPDATE " + t.job() + " SET status = 'ABORTED',"
                        + " completed_at = ?, extended_status = ? WHERE tenant_id = ? AND id IN (SELECT job_id FROM "
                        + chunkTable + " WHERE batch_id = ?) AND status IN ('QUEUED', 'PROCESSING')")) {
                    Jdbc.setInstant(ps, 1, now);
                    ps.setString(2, "not run: the batch ended outside its runner");
                    ps.setString(3, e.tenant().value());
                    Jdbc.setUuid(ps, 4, batch);
                    int n = ps.executeUpdate();
                    if (n > 0) aborted.add(new ChunksAborted(e.tenant(), n, now));
                }
                update(c, "DELETE FROM " + chunkTable + " WHERE batch_id = ?", batch);
                update(c, "UPDATE " + batchTable + " SET admission = 'DONE', phase = 'DONE' WHERE job_id = ?", batch);
            }
            return aborted;
        });
    }

    @Override
    public int pruneOrphans() {
        return jdbc.inTransaction("prune batch rows of pruned jobs", c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + errorTable + " WHERE NOT EXISTS (SELECT 1 FROM "
                    + t.job() + " j WHERE j.tenant_id = " + errorTable + ".tenant_id AND j.id = " + errorTable
                    + ".batch_id)")) {
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + batchTable + " WHERE admission = 'DONE'"
                    + " AND NOT EXISTS (SELECT 1 FROM " + t.job() + " j WHERE j.tenant_id = " + batchTable + ".tenant_id"
                    + " AND j.id = " + batchTable + ".job_id)")) {
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public List<TenantId> waitingTenants() {
        return jdbc.inTransaction("find tenants with waiting batches", c -> {
            List<TenantId> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT tenant_id FROM " + batchTable
                    + " WHERE admission IN ('SCHEDULED', 'HOLDING')")) {
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(new TenantId(rs.getString(1)));
                }
            }
            return out;
        });
    }

    @Override
    public boolean abortWaiting(TenantId tenant, UUID batch, Instant now) {
        return jdbc.inTransaction("abort waiting batch " + batch, c -> {
            lockTenant(c, tenant);
            int n;
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + batchTable + " SET admission = 'DONE',"
                    + " phase = 'DONE', flex_position = NULL WHERE job_id = ? AND tenant_id = ?"
                    + " AND admission IN ('HOLDING', 'SCHEDULED')")) {
                Jdbc.setUuid(ps, 1, batch);
                ps.setString(2, tenant.value());
                n = ps.executeUpdate();
            }
            if (n == 0) return false;
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + t.job() + " SET status = 'ABORTED',"
                    + " completed_at = ?, extended_status = 'aborted while holding in the flex queue'"
                    + " WHERE tenant_id = ? AND id = ?")) {
                Jdbc.setInstant(ps, 1, now);
                ps.setString(2, tenant.value());
                Jdbc.setUuid(ps, 3, batch);
                ps.executeUpdate();
            }
            return true;
        });
    }

    @Override
    public List<JobId> flexQueue(TenantId tenant) {
        return jdbc.inTransaction("read the flex queue of " + tenant, c -> holding(c, tenant).stream().map(JobId::of).toList());
    }

    @Override
    public int activeBatches(TenantId tenant) {
        return (int) (long) jdbc.inTransaction("count the active batches of " + tenant, c -> active(c, tenant));
    }

    private List<UUID> holding(Connection c, TenantId tenant) throws SQLException {
        List<UUID> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT job_id FROM " + batchTable
                + " WHERE tenant_id = ? AND admission = 'HOLDING' ORDER BY flex_position, job_id")) {
            ps.setString(1, tenant.value());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(Jdbc.getUuid(rs, "job_id"));
            }
        }
        return out;
    }

    @Override
    public boolean moveTo(TenantId tenant, UUID batch, int position) {
        return jdbc.inTransaction("reorder the flex queue of " + tenant, c -> {
            lockTenant(c, tenant);
            List<UUID> order = holding(c, tenant);
            int from = order.indexOf(batch);
            if (from < 0) {
                throw new IllegalArgumentException("job " + batch + " is not holding in the flex queue of tenant '"
                        + tenant + "': expected one of its " + order.size() + " holding batches");
            }
            int to = Math.min(position, order.size() - 1);
            if (from == to) return false;
            order.remove(from);
            order.add(to, batch);
            writeOrder(c, order);
            return true;
        });
    }

    @Override
    public boolean moveNextTo(TenantId tenant, UUID batch, UUID other, boolean after) {
        return jdbc.inTransaction("reorder the flex queue of " + tenant, c -> {
            lockTenant(c, tenant);
            List<UUID> order = holding(c, tenant);
            for (UUID id : List.of(batch, other)) {
                if (!order.contains(id)) {
                    throw new IllegalArgumentException("job " + id + " is not holding in the flex queue of tenant '"
                            + tenant + "': expected one of its " + order.size() + " holding batches");
                }
            }
            if (batch.equals(other)) {
                throw new IllegalArgumentException("job " + batch + " cannot be moved " + (after ? "after" : "before")
                        + " itself: expected another holding batch");
            }
            List<UUID> moved = new ArrayList<>(order);
            moved.remove(batch);
            moved.add(moved.indexOf(other) + (after ? 1 : 0), batch);
            if (moved.equals(order)) return false;
            writeOrder(c, moved);
            return true;
        });
    }

    /** Writes flex positions 1… in the given order; the caller holds the tenant's lock. */
    private void writeOrder(Connection c, List<UUID> order) throws SQLException {
        {
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + batchTable + " SET flex_position = ? WHERE job_id = ?")) {
                for (int i = 0; i < order.size(); i++) {
                    ps.setLong(1, i + 1);
                    Jdbc.setUuid(ps, 2, order.get(i));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
    }

    private void lockTenant(Connection c, TenantId tenant) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT tenant_id FROM " + t.tenant()
                + " WHERE tenant_id = ? FOR UPDATE")) {
            ps.setString(1, tenant.value());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
            }
        }
    }

    private long active(Connection c, TenantId tenant) throws SQLException {
        return queryLong(c, "SELECT COUNT(*) FROM " + batchTable + " b WHERE b.tenant_id = ? AND b.admission = 'ACTIVE'"
                + " AND EXISTS (SELECT 1 FROM " + t.job() + " j WHERE j.tenant_id = b.tenant_id AND j.id = b.job_id"
                + " AND j.status IN " + ACTIVE_STATUSES + OFFSET_0 + ")", tenant.value());
    }

    private long nextPosition(Connection c, TenantId tenant) throws SQLException {
        return queryLong(c, "SELECT COALESCE(MAX(flex_position), 0) + 1 FROM " + batchTable
                + " WHERE tenant_id = ? AND admission = 'HOLDING'", tenant.value());
    }

    // ---- a batch's run

    @Override
    public Optional<BatchRow> load(UUID batch) {
        return jdbc.inTransaction("read batch " + batch, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT b.job_id, b.tenant_id, b.scope, b.phase, b.state,"
                    + " b.record_type, j.total_items FROM " + batchTable + " b JOIN " + t.job() + " j"
                    + " ON j.tenant_id = b.tenant_id AND j.id = b.job_id WHERE b.job_id = ?")) {
                Jdbc.setUuid(ps, 1, batch);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) return Optional.empty();
                    return Optional.of(new BatchRow(Jdbc.getUuid(rs, "job_id"), new TenantId(rs.getString("tenant_id")),
                            rs.getInt("scope"), rs.getString("phase"), rs.getString("state"), rs.getString("record_type"),
                            rs.getInt("total_items")));
                }
            }
        });
    }

    @Override
    public boolean beginStart(TenantId tenant, UUID batch, int attempt, Instant now) {
        return jdbc.inTransaction("prepare batch " + batch, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + t.job() + " SET status = 'PREPARING',"
                    + " items_processed = 0, number_of_errors = 0, total_items = 0"
                    + " WHERE tenant_id = ? AND id = ? AND attempt = ?")) {
                ps.setString(1, tenant.value());
                Jdbc.setUuid(ps, 2, batch);
                ps.setInt(3, attempt);
                if (ps.executeUpdate() == 0) return false;
            }
            // A previous attempt died while cutting: its chunks are cut again.
            update(c, "DELETE FROM " + t.job() + " WHERE tenant_id = ? AND id "
                    + dialect.idIn("SELECT job_id FROM " + chunkTable + " WHERE batch_id = ?"), tenant, batch);
            update(c, "DELETE FROM " + chunkTable + " WHERE batch_id = ?", batch);
            return true;
        });
    }

    @Override
    public boolean addChunks(UUID batch, int attempt, TenantId tenant, String className, List<NewChunk> chunks,
                             int chunksSoFar, Instant now) {
        if (chunks.isEmpty()) return true;
        return jdbc.inTransaction("store chunks of batch " + batch, c -> {
            if (dialect.insertManySql(t) != null) {
                addChunksAsArrays(c, batch, tenant, className, chunks, now);
            } else {
                addChunksOneByOne(c, batch, tenant, className, chunks, now);
            }
            // Last, so the batch row is locked only while this commits (its chunks update it as they end): the
            // fence, the chunks cut so far, and PROCESSING from the first chunks on.
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + t.job() + " SET total_items = ?,"
                    + " status = 'PROCESSING' WHERE tenant_id = ? AND id = ? AND attempt = ? AND state = 1")) {
                ps.setInt(1, chunksSoFar);
                ps.setString(2, tenant.value());
                Jdbc.setUuid(ps, 3, batch);
                ps.setInt(4, attempt);
                if (ps.executeUpdate() == 0) {
                    c.rollback();
                    return false;
                }
            }
            return true;
        });
    }

    private void addChunksOneByOne(Connection c, UUID batch, TenantId tenant, String className, List<NewChunk> chunks,
                                   Instant now) throws SQLException {
        try (PreparedStatement ch = c.prepareStatement("INSERT INTO " + chunkTable
                + " (batch_id, seq, job_id, record_count, records) VALUES (?, ?, ?, ?, ?)");
             PreparedStatement job = c.prepareStatement("INSERT INTO " + t.job() + " (id, tenant_id, job_type,"
                     + " class_name, status, parent_job_id, stack_depth, created_at, run_at, payload, total_items)"
                     + " VALUES (?, ?, 'BATCH_CHUNK', ?, 'QUEUED', ?, 1, ?, ?, '', 1)")) {
            for (NewChunk chunk : chunks) {
                Jdbc.setUuid(ch, 1, batch);
                ch.setInt(2, chunk.seq());
                Jdbc.setUuid(ch, 3, chunk.jobId());
                ch.setInt(4, chunk.recordCount());
                ch.setString(5, chunk.records());
                ch.addBatch();
                Jdbc.setUuid(job, 1, chunk.jobId());
                job.setString(2, tenant.value());
                job.setString(3, className);
                Jdbc.setUuid(job, 4, batch);
                Jdbc.setInstant(job, 5, now);
                Jdbc.setInstant(job, 6, now);
                job.addBatch();
            }
            ch.executeBatch();
            job.executeBatch();
        }
    }

    @Override
    public boolean beginCut(TenantId tenant, UUID batch, int attempt, String state, String recordType, Instant now) {
        return jdbc.inTransaction("cut batch " + batch, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + batchTable + " SET phase = 'CUT', state = ?,"
                    + " record_type = ?, total_records = 0 WHERE job_id = ? AND EXISTS (SELECT 1 FROM " + t.job()
                    + " j WHERE j.tenant_id = ? AND j.id = ? AND j.attempt = ? AND j.state = 1)")) {
                ps.setString(1, state);
                ps.setString(2, recordType);
                Jdbc.setUuid(ps, 3, batch);
                ps.setString(4, tenant.value());
                Jdbc.setUuid(ps, 5, batch);
                ps.setInt(6, attempt);
                return ps.executeUpdate() > 0;
            }
        });
    }

    @Override
    public boolean endCut(TenantId tenant, UUID batch, int attempt, int totalChunks, long totalRecords, Instant now) {
        return jdbc.inTransaction("end the cut of batch " + batch, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + t.job() + " SET status = 'PROCESSING',"
                    + " total_items = ? WHERE tenant_id = ? AND id = ? AND attempt = ? AND state = 1")) {
                ps.setInt(1, totalChunks);
                ps.setString(2, tenant.value());
                Jdbc.setUuid(ps, 3, batch);
                ps.setInt(4, attempt);
                if (ps.executeUpdate() == 0) return false;
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + batchTable + " SET phase = 'EXECUTE',"
                    + " total_records = ? WHERE job_id = ?")) {
                ps.setLong(1, totalRecords);
                Jdbc.setUuid(ps, 2, batch);
                ps.executeUpdate();
            }
            return true;
        });
    }

    @Override
    public CutSoFar cutSoFar(UUID batch) {
        return jdbc.inTransaction("read the cut of batch " + batch, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*), COALESCE(SUM(record_count), 0) FROM "
                    + chunkTable + " WHERE batch_id = ?")) {
                Jdbc.setUuid(ps, 1, batch);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new CutSoFar(rs.getInt(1), rs.getLong(2));
                }
            }
        });
    }

    @Override
    public boolean endsChunkInOneStatement() {
        return dialect.completesInOneStatement();
    }

    /**
     * The chunks as one batch of inserts (one round trip; each chunk's JSON a plain text parameter, where a text
     * array would escape every quote in it and the database unescape it again), and their jobs in one statement,
     * ids passed as an array.
     */
    private void addChunksAsArrays(Connection c, UUID batch, TenantId tenant, String className, List<NewChunk> chunks,
                                   Instant now) throws SQLException {
        Object[] ids = new Object[chunks.size()];
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + chunkTable
                + " (batch_id, seq, job_id, record_count, records) VALUES (?, ?, ?, ?, ?)")) {
            for (int k = 0; k < chunks.size(); k++) {
                NewChunk chunk = chunks.get(k);
                ids[k] = chunk.jobId();
                Jdbc.setUuid(ps, 1, batch);
                ps.setInt(2, chunk.seq());
                Jdbc.setUuid(ps, 3, chunk.jobId());
                ps.setInt(4, chunk.recordCount());
                ps.setString(5, chunk.records());
                ps.addBatch();
            }
            ps.executeBatch();
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + t.job() + " (id, tenant_id, job_type, class_name,"
                + " status, parent_job_id, stack_depth, created_at, run_at, payload, total_items)"
                + " SELECT j, ?, 'BATCH_CHUNK', ?, 'QUEUED', ?, 1, ?, ?, '', 1 FROM unnest(?::uuid[]) AS v(j)")) {
            ps.setString(1, tenant.value());
            ps.setString(2, className);
            Jdbc.setUuid(ps, 3, batch);
            Jdbc.setInstant(ps, 4, now);
            Jdbc.setInstant(ps, 5, now);
            ps.setArray(6, c.createArrayOf("uuid", ids));
            ps.executeUpdate();
        }
    }

    @Override
    public boolean beginExecute(TenantId tenant, UUID batch, int attempt, int totalChunks, long totalRecords,
                                String recordType, String state, Instant now) {
        return jdbc.inTransaction("start the chunks of batch " + batch, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + t.job() + " SET status = 'PROCESSING',"
                    + " total_items = ? WHERE tenant_id = ? AND id = ? AND attempt = ?")) {
                ps.setInt(1, totalChunks);
                ps.setString(2, tenant.value());
                Jdbc.setUuid(ps, 3, batch);
                ps.setInt(4, attempt);
                if (ps.executeUpdate() == 0) return false;
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + batchTable + " SET phase = 'EXECUTE', state = ?,"
                    + " record_type = ?, total_records = ? WHERE job_id = ?")) {
                ps.setString(1, state);
                ps.setString(2, recordType);
                ps.setLong(3, totalRecords);
                Jdbc.setUuid(ps, 4, batch);
                ps.executeUpdate();
            }
            return true;
        });
    }

    @Override
    public List<ChunkRow> pendingChunks(TenantId tenant, UUID batch, int fromSeq, int max) {
        return jdbc.inAutoCommit("read chunks of batch " + batch, c -> {
            // The chunks drive, in order, each reaching its job by the key: as a plain join, a planner that thought
            // the tenant had few jobs read them all and the chunks again for each (up to 1.4 s a read in the batch
            // bench). Parameters: tenant, batch, from seq, limit.
            try (PreparedStatement ps = c.prepareStatement("SELECT c.seq, c.job_id, j.status, c.records, j.run_at FROM "
                    + chunkTable + " c" + dialect.joinByKey(t.job(), "j", "j.status, j.run_at",
                    "j.tenant_id = ? AND j.id = c.job_id AND j.status IN ('QUEUED', 'PROCESSING')")
                    + " WHERE c.batch_id = ? AND c.seq >= ? ORDER BY c.seq LIMIT ?")) {
                ps.setString(1, tenant.value());
                Jdbc.setUuid(ps, 2, batch);
                ps.setInt(3, fromSeq);
                ps.setInt(4, max);
                List<ChunkRow> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new ChunkRow(rs.getInt("seq"), Jdbc.getUuid(rs, "job_id"), rs.getString("status"),
                                rs.getString("records"), Jdbc.getInstant(rs, "run_at")));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public void markRunning(TenantId tenant, List<UUID> chunkJobs, String node, int attempt, Instant now) {
        if (chunkJobs.isEmpty()) return;
        jdbc.inTransaction("mark chunks running", c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + t.job() + " SET status = 'PROCESSING',"
                    + " started_at = ?, node = ?, attempt = attempt + 1 WHERE tenant_id = ? AND id = ?")) {
                for (UUID id : chunkJobs) {
                    Jdbc.setInstant(ps, 1, now);
                    ps.setString(2, node);
                    ps.setString(3, tenant.value());
                    Jdbc.setUuid(ps, 4, id);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    @Override
    public boolean endChunk(Connection connection, ChunkEnd e) {
        if (dialect.completesInOneStatement() && e.error() == null) {
            return Jdbc.inConnection(connection, "end chunk " + e.chunkJob(), c -> endChunkInOneStatement(c, e));
        }
        return Jdbc.inConnection(connection, "end chunk " + e.chunkJob(), c -> {
            boolean ran = e.status() != JobStatus.ABORTED;
            boolean failed = e.status() == JobStatus.FAILED;
            // The batch row first: it fences the chunk (an attempt that lost the batch writes nothing) and
            // serialises parallel chunks of one batch.
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + t.job() + " SET items_processed = items_processed + ?,"
                    + " number_of_errors = number_of_errors + ?, extended_status = COALESCE(extended_status, ?)"
                    + " WHERE tenant_id = ? AND id = ? AND attempt = ? AND status = 'PROCESSING'")) {
                ps.setInt(1, ran ? 1 : 0);
                ps.setInt(2, failed ? 1 : 0);
                ps.setString(3, failed ? truncate(e.extendedStatus()) : null);
                ps.setString(4, e.tenant().value());
                Jdbc.setUuid(ps, 5, e.batch());
                ps.setInt(6, e.attempt());
                if (ps.executeUpdate() == 0) return false;
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + t.job() + " SET status = ?, extended_status = ?,"
                    + " number_of_errors = ?, items_processed = ?, started_at = COALESCE(started_at, ?), completed_at = ?,"
                    + " node = ? WHERE tenant_id = ? AND id = ?")) {
                ps.setString(1, e.status().name());
                ps.setString(2, truncate(e.extendedStatus()));
                ps.setInt(3, failed ? 1 : 0);
                ps.setInt(4, ran ? 1 : 0);
                Jdbc.setInstant(ps, 5, e.startedAt());
                Jdbc.setInstant(ps, 6, e.endedAt());
                ps.setString(7, e.node());
                ps.setString(8, e.tenant().value());
                Jdbc.setUuid(ps, 9, e.chunkJob());
                ps.executeUpdate();
            }
            if (e.state() != null) {
                try (PreparedStatement ps = c.prepareStatement("UPDATE " + batchTable + " SET state = ? WHERE job_id = ?")) {
                    ps.setString(1, e.state());
                    Jdbc.setUuid(ps, 2, e.batch());
                    ps.executeUpdate();
                }
            }
            if (e.nextChunkJob() != null) {
                try (PreparedStatement ps = c.prepareStatement("UPDATE " + t.job() + " SET status = 'PROCESSING',"
                        + " started_at = ?, node = ?, attempt = attempt + 1 WHERE tenant_id = ? AND id = ?")) {
                    Jdbc.setInstant(ps, 1, e.endedAt());
                    ps.setString(2, e.node());
                    ps.setString(3, e.tenant().value());
                    Jdbc.setUuid(ps, 4, e.nextChunkJob());
                    ps.executeUpdate();
                }
            }
            if (e.error() != null) insertError(c, e.error(), e.tenant());
            return true;
        });
    }

    /**
     * The chunk's end in one round trip, where the database runs data-modifying CTEs (the capability behind its
     * one-statement completion): the batch row fences the rest, which is written only if it was updated.
     */
    private boolean endChunkInOneStatement(Connection c, ChunkEnd e) throws SQLException {
        boolean ran = e.status() != JobStatus.ABORTED;
        boolean failed = e.status() == JobStatus.FAILED;
        String sql = "WITH b AS (UPDATE " + t.job() + " SET items_processed = items_processed + ?,"
                + " number_of_errors = number_of_errors + ?, extended_status = COALESCE(extended_status, ?)"
                + " WHERE tenant_id = ? AND id = ? AND attempt = ? AND status = 'PROCESSING' RETURNING id),"
                + " ch AS (UPDATE " + t.job() + " SET status = ?, extended_status = ?, number_of_errors = ?,"
                + " items_processed = ?, started_at = COALESCE(started_at, ?), completed_at = ?, node = ?"
                + " WHERE tenant_id = ? AND id = ? AND EXISTS (SELECT 1 FROM b) RETURNING id)"
                + (e.state() != null ? ", st AS (UPDATE " + batchTable + " SET state = ? WHERE job_id = ?"
                        + " AND EXISTS (SELECT 1 FROM b) RETURNING job_id)" : "")
                + (e.nextChunkJob() != null ? ", nx AS (UPDATE " + t.job() + " SET status = 'PROCESSING', started_at = ?,"
                        + " node = ?, attempt = attempt + 1 WHERE tenant_id = ? AND id = ? AND EXISTS (SELECT 1 FROM b)"
                        + " RETURNING id)" : "")
                + " SELECT COUNT(*) FROM b";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            ps.setInt(i++, ran ? 1 : 0);
            ps.setInt(i++, failed ? 1 : 0);
            ps.setString(i++, failed ? truncate(e.extendedStatus()) : null);
            ps.setString(i++, e.tenant().value());
            Jdbc.setUuid(ps, i++, e.batch());
            ps.setInt(i++, e.attempt());
            ps.setString(i++, e.status().name());
            ps.setString(i++, truncate(e.extendedStatus()));
            ps.setInt(i++, failed ? 1 : 0);
            ps.setInt(i++, ran ? 1 : 0);
            Jdbc.setInstant(ps, i++, e.startedAt());
            Jdbc.setInstant(ps, i++, e.endedAt());
            ps.setString(i++, e.node());
            ps.setString(i++, e.tenant().value());
            Jdbc.setUuid(ps, i++, e.chunkJob());
            if (e.state() != null) {
                ps.setString(i++, e.state());
                Jdbc.setUuid(ps, i++, e.batch());
            }
            if (e.nextChunkJob() != null) {
                Jdbc.setInstant(ps, i++, e.endedAt());
                ps.setString(i++, e.node());
                ps.setString(i++, e.tenant().value());
                Jdbc.setUuid(ps, i, e.nextChunkJob());
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1) > 0;
            }
        }
    }

    @Override
    public OptionalInt endBatch(Connection connection, BatchEnd e, int maxActive) {
        return Jdbc.inConnection(connection, "end batch " + e.batch(), c -> {
            // The attempt fences the end, as for any job.
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + t.job() + " SET state = NULL,"
                    + " lease_expires_at = NULL, status = ?, extended_status = COALESCE(extended_status, ?),"
                    + " completed_at = ? WHERE tenant_id = ? AND id = ? AND attempt = ? AND state = 1")) {
                ps.setString(1, e.status().name());
                ps.setString(2, truncate(e.extendedStatus()));
                Jdbc.setInstant(ps, 3, e.endedAt());
                ps.setString(4, e.tenant().value());
                Jdbc.setUuid(ps, 5, e.batch());
                ps.setInt(6, e.attempt());
                if (ps.executeUpdate() == 0) return OptionalInt.empty();
            }
            // Ended while starting: the chunks cut so far never were the batch's; they go.
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + t.job() + " WHERE tenant_id = ? AND id "
                    + dialect.idIn("SELECT job_id FROM " + chunkTable + " WHERE batch_id = ?")
                    + " AND EXISTS (SELECT 1 FROM " + batchTable + " WHERE job_id = ? AND phase = 'START')")) {
                ps.setString(1, e.tenant().value());
                Jdbc.setUuid(ps, 2, e.batch());
                Jdbc.setUuid(ps, 3, e.batch());
                ps.executeUpdate();
            }
            // A batch completes only once every chunk ended: only another end leaves chunks to mark.
            int aborted = 0;
            if (e.status() != JobStatus.COMPLETED) {
                try (PreparedStatement ps = c.prepareStatement("UPDATE " + t.job() + " SET status = 'ABORTED',"
                        + " completed_at = ?, extended_status = ? WHERE tenant_id = ? AND id IN (SELECT job_id FROM "
                        + chunkTable + " WHERE batch_id = ?) AND status IN ('QUEUED', 'PROCESSING')")) {
                    Jdbc.setInstant(ps, 1, e.endedAt());
                    ps.setString(2, "not run: the batch ended " + e.status());
                    ps.setString(3, e.tenant().value());
                    Jdbc.setUuid(ps, 4, e.batch());
                    aborted = ps.executeUpdate();
                }
            }
            update(c, "UPDATE " + batchTable + " SET admission = 'DONE', phase = 'DONE' WHERE job_id = ?", e.batch());
            if (e.error() != null) insertError(c, e.error(), e.tenant());
            lockTenant(c, e.tenant());
            admitIn(c, e.tenant(), maxActive, e.endedAt());
            return OptionalInt.of(aborted);
        });
    }

    @Override
    public void dropChunks(UUID batch) {
        jdbc.inAutoCommit("drop the chunk records of batch " + batch, c -> {
            update(c, "DELETE FROM " + chunkTable + " WHERE batch_id = ?", batch);
            return null;
        });
    }

    @Override
    public void addError(TenantId tenant, BatchErrorRow error) {
        jdbc.inTransaction("record batch error", c -> {
            insertError(c, error, tenant);
            return null;
        });
    }

    private void insertError(Connection c, BatchErrorRow e, TenantId tenant) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + errorTable + " (batch_id, tenant_id, chunk_job_id,"
                + " phase, exception_type, message, stack_trace, failed_record_ids, scope_truncated, occurred_at)"
                + " SELECT id, tenant_id, ?, ?, ?, ?, ?, ?, ?, ? FROM " + t.job() + " WHERE tenant_id = ? AND id = ?")) {
            Jdbc.setUuid(ps, 1, e.chunkJob());
            ps.setString(2, e.phase().name());
            ps.setString(3, e.exceptionType());
            ps.setString(4, e.message());
            ps.setString(5, e.stackTrace());
            ps.setString(6, e.failedRecordIds());
            ps.setBoolean(7, e.scopeTruncated());
            Jdbc.setInstant(ps, 8, e.at());
            ps.setString(9, tenant.value());
            Jdbc.setUuid(ps, 10, e.batch());
            ps.executeUpdate();
        }
    }

    // ---- monitoring

    @Override
    public List<JobRecord> chunks(TenantId tenant, UUID batch) {
        return jdbc.inTransaction("read chunks of batch " + batch, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + SqlJobStore.JOB_COLUMNS + " FROM " + t.job()
                    + " WHERE " + dialect.parentIsSql(t) + " AND tenant_id = ? AND job_type = 'BATCH_CHUNK' ORDER BY id")) {
                Jdbc.setUuid(ps, 1, batch);
                ps.setString(2, tenant.value());
                List<JobRecord> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(SqlJobStore.record(rs));
                }
                return out;
            }
        });
    }

    @Override
    public List<BatchError> errors(TenantId tenant, UUID batch) {
        return jdbc.inTransaction("read errors of batch " + batch, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM " + errorTable
                    + " WHERE batch_id = ? AND tenant_id = ? ORDER BY id")) {
                Jdbc.setUuid(ps, 1, batch);
                ps.setString(2, tenant.value());
                List<BatchError> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        UUID chunk = Jdbc.getUuid(rs, "chunk_job_id");
                        String ids = rs.getString("failed_record_ids");
                        out.add(new BatchError(JobId.of(batch), chunk == null ? null : JobId.of(chunk),
                                BatchPhase.valueOf(rs.getString("phase")), rs.getString("exception_type"),
                                rs.getString("message"), rs.getString("stack_trace"),
                                ids == null || ids.isEmpty() ? List.of() : Arrays.asList(ids.split(",")),
                                rs.getBoolean("scope_truncated"), Jdbc.getInstant(rs, "occurred_at")));
                    }
                }
                return out;
            }
        });
    }

    // ---- helpers

    private static void update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            for (Object arg : args) {
                if (arg instanceof UUID id) Jdbc.setUuid(ps, i++, id);
                else if (arg instanceof TenantId tenant) ps.setString(i++, tenant.value());
                else ps.setObject(i++, arg);
            }
            ps.executeUpdate();
        }
    }

    private static long queryLong(Connection c, String sql, String arg) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static String truncate(String s) {
        return s == null || s.length() <= EXTENDED_STATUS_MAX ? s : s.substring(0, EXTENDED_STATUS_MAX - 1) + "…";
    }
}
