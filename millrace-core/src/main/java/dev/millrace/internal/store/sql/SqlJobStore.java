package dev.millrace.internal.store.sql;

import dev.millrace.DuplicateJobException;
import dev.millrace.DuplicateSignature;
import dev.millrace.JobError;
import dev.millrace.JobId;
import dev.millrace.JobLogEntry;
import dev.millrace.JobPage;
import dev.millrace.JobQuery;
import dev.millrace.JobRecord;
import dev.millrace.JobStatus;
import dev.millrace.JobType;
import dev.millrace.LogLevel;
import dev.millrace.TenantId;
import dev.millrace.internal.store.AbortOutcome;
import dev.millrace.internal.store.ClaimRequest;
import dev.millrace.internal.store.ClaimedJob;
import dev.millrace.internal.store.Completion;
import dev.millrace.internal.store.JobStore;
import dev.millrace.internal.store.LogRow;
import dev.millrace.internal.store.NewJob;
import dev.millrace.internal.store.RescueResult;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/** The one JDBC implementation of {@link JobStore}; what differs between databases is in its {@link SqlDialect}. */
final class SqlJobStore implements JobStore {
    private static final int EXTENDED_STATUS_MAX = 1000;
    static final String JOB_COLUMNS = "id, tenant_id, job_type, class_name, method_name, status, extended_status,"
            + " number_of_errors, items_processed, total_items, parent_job_id, stack_depth, max_stack_depth, attempt, node,"
            + " created_at, run_at, started_at, completed_at";

    private final Jdbc jdbc;
    private final SqlDialect dialect;
    private final Tables t;
    /** The one-statement inserts, indexed [notify][signed] (see {@link #insertSql}). */
    private final String[][] insertSql;
    private final String copyJobsSql;
    /** The claimed inserts, indexed [signed]. */
    private final String[] insertClaimedSql;
    // Where signatures live apart from the job rows (H2): null otherwise.
    private final String holdSignatureSql;

    private final PgNotifier notifier;
    /** Where each tenant's next one-statement claim starts reading (see {@link ClaimFloors}). */
    private final ClaimFloors floors = new ClaimFloors();
    /** Single enqueues in flight on this node (they carry their own NOTIFY only when alone). */
    private final java.util.concurrent.atomic.AtomicInteger inserting = new java.util.concurrent.atomic.AtomicInteger();

    SqlJobStore(Jdbc jdbc, SqlDialect dialect, Tables tables, PgNotifier notifier) {
        this.jdbc = jdbc;
        this.notifier = notifier;
        this.dialect = dialect;
        this.t = tables;
        this.insertSql = dialect.insertsInOneStatement()
                ? new String[][] {{dialect.insertSql(tables, false, false), dialect.insertSql(tables, false, true)},
                        {dialect.insertSql(tables, true, false), dialect.insertSql(tables, true, true)}}
                : null;
        this.copyJobsSql = dialect.copyJobsSql(tables);
        this.insertClaimedSql = new String[] {dialect.insertClaimedSql(tables, false), dialect.insertClaimedSql(tables, true)};
        this.holdSignatureSql = dialect.holdSignatureSql(tables);
    }

    // ---- enqueue

    @Override
    public void insert(Connection connection, List<NewJob> jobs) {
        if (jobs.isEmpty()) return;
        Jdbc.inConnection(connection, "enqueue", c -> {
            if (jobs.size() == 1) {
                insertJobs(c, jobs);
                return null;
            }
            // Several jobs in the caller's transaction: a duplicate must not leave the others half-written.
            Savepoint sp = c.setSavepoint();
            try {
                insertJobs(c, jobs);
                c.releaseSavepoint(sp);
            } catch (RuntimeException | SQLException e) {
                c.rollback(sp);
                throw e;
            }
            return null;
        });
    }

    @Override
    public void insert(List<NewJob> jobs) {
        if (jobs.isEmpty()) return;
        if (jobs.size() == 1 && dialect.insertsInOneStatement()) {
            // One statement is its own transaction: no separate commit round trip. An enqueue alone on this node
            // carries its NOTIFY (when another process listens at all) in that statement: delivered at its commit,
            // with no hand-off to the notifier and no second round trip. Enqueues that overlap leave it to the
            // notifier, so that their commits never queue on PostgreSQL's notification lock, which a notifying
            // transaction holds through its commit.
            // Otherwise the notifier decides (when its "nobody else listens" is stale it looks first, then notifies).
            boolean carry = inserting.incrementAndGet() == 1 && (notifier == null || notifier.othersMayListen());
            try {
                jdbc.inAutoCommit("enqueue", c -> {
                    insertJobs(c, jobs, notifier == null || carry);
                    return null;
                });
            } finally {
                inserting.decrementAndGet();
            }
            if (carry || notifier == null) return;
        } else {
            jdbc.inTransaction("enqueue", c -> {
                insertJobs(c, jobs, notifier == null);
                return null;
            });
        }
        // Committed: now other nodes may look (the caller's own node is woken in-process). One request per tenant, and
        // the notifier folds them into one NOTIFY: a bulk enqueue of one tenant costs one set insertion here. While a
        // fresh check says nobody else listens, no request: it would only wake the notifier's thread to skip it, and
        // that wake-up per enqueue was about a fifth of a single enqueue's client CPU.
        if (notifier != null && !notifier.nobodyElseListens()) {
            for (String tenant : tenantsReadyNow(jobs)) notifier.request(tenant);
        }
    }

    @Override
    public ClaimedJob insertClaimed(NewJob j, String node, Instant leaseUntil) {
        // One statement in autocommit: the insert is the claim, and no NOTIFY (no other node needs waking). A signature
        // held apart from the row is taken in the same transaction.
        boolean apart = j.signature() != null && holdSignatureSql != null;
        Jdbc.Work<ClaimedJob> insert = c -> {
            holdSignature(c, j);
            try (PreparedStatement ps = c.prepareStatement(insertClaimedSql[j.signature() == null ? 0 : 1])) {
                bindJobRow(ps, 1, j);
                ps.setString(15, node);
                dialect.setInstant(ps, 16, leaseUntil);
                dialect.setInstant(ps, 17, j.createdAt());
                if (ps.executeUpdate() == 0) throw duplicate(j);
            } catch (SQLException e) {
                if (j.signature() != null && dialect.isUniqueViolation(e)) throw duplicate(j);
                throw e;
            }
            return new ClaimedJob(j.id(), j.tenant(), j.type(), j.className(), j.methodName(), j.payload(), j.parentId(),
                    j.stackDepth(), j.maxStackDepth(), 1, j.createdAt(), j.runAt(), j.requestId(), j.consecutiveFailures(),
                    j.createdAt());
        };
        return apart ? jdbc.inTransaction("enqueue", insert) : jdbc.inAutoCommit("enqueue", insert);
    }

    /**
     * Holds a signed job's signature where the dialect keeps signatures apart from the job rows (H2), before the row
     * is written, so a duplicate leaves nothing written; throws the job's {@link DuplicateJobException} while a live
     * job holds it. Does nothing for a job without one, or where the rows' own unique index holds signatures.
     */
    private void holdSignature(Connection c, NewJob j) throws SQLException {
        if (j.signature() == null || holdSignatureSql == null) return;
        try (PreparedStatement ps = c.prepareStatement(holdSignatureSql)) {
            ps.setString(1, j.tenant().value());
            ps.setString(2, j.signature());
            Jdbc.setUuid(ps, 3, j.id());
            ps.executeUpdate();
        } catch (SQLException e) {
            if (dialect.isUniqueViolation(e)) throw duplicate(j);
            throw e;
        }
    }

    private static boolean readyNow(NewJob j) {
        return !j.runAt().isAfter(j.createdAt());
    }

    private static boolean anyReadyNow(List<NewJob> jobs) {
        for (NewJob j : jobs) if (readyNow(j)) return true;
        return false;
    }

    private static boolean anySigned(List<NewJob> jobs) {
        for (NewJob j : jobs) if (j.signature() != null) return true;
        return false;
    }

    /** The distinct tenants of the jobs ready now, in order (usually one: a bulk enqueue is of one tenant). */
    private static java.util.Collection<String> tenantsReadyNow(List<NewJob> jobs) {
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        String last = null;
        for (NewJob j : jobs) {
            if (!readyNow(j) || j.tenant().value().equals(last)) continue;
            last = j.tenant().value();
            out.add(last);
        }
        return out;
    }

    private void insertJobs(Connection c, List<NewJob> jobs) throws SQLException {
        // In the caller's transaction the NOTIFY rides along and is delivered only if the caller commits.
        insertJobs(c, jobs, true);
    }

    private void insertJobs(Connection c, List<NewJob> jobs, boolean notifyInTransaction) throws SQLException {
        if (jobs.size() > 1 && dialect.insertManySql(t) != null) {
            insertMany(c, jobs);
            // One NOTIFY for the whole statement, naming its tenants.
            if (notifyInTransaction && anyReadyNow(jobs)) {
                ReadyNotice.sendAtCommit(c, dialect, t, tenantsReadyNow(jobs));
            }
            return;
        }
        if (dialect.insertsInOneStatement()) {
            boolean notify = notifyInTransaction && anyReadyNow(jobs);
            boolean signed = anySigned(jobs);
            try (PreparedStatement ps = c.prepareStatement(insertSql[notify ? 1 : 0][signed ? 1 : 0])) {
                for (NewJob j : jobs) {
                    bindJobRow(ps, 1, j);
                    if (notify) {
                        // A query (its NOTIFY rides on the written row): one row back per job written.
                        try (ResultSet rs = ps.executeQuery()) {
                            if (!rs.next()) throw duplicate(j);
                        }
                    } else if (jobs.size() > 1) {
                        ps.addBatch();
                    } else if (ps.executeUpdate() == 0) {
                        throw duplicate(j);
                    }
                }
                if (!notify && jobs.size() > 1) {
                    int[] counts = ps.executeBatch();
                    for (int k = 0; k < counts.length; k++) {
                        if (counts[k] == 0) throw duplicate(jobs.get(k));
                    }
                }
            }
            return;
        }
        // Plain inserts: the unique index on live signatures refuses a duplicate. Jobs with a signature go one by one
        // so the refused one can be named; the others in one batch.
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + t.job() + " (id, tenant_id, job_type, class_name,"
                + " method_name, status, parent_job_id, stack_depth, max_stack_depth, created_at, run_at, payload, signature,"
                + " request_id, consecutive_failures, state) VALUES (?, ?, ?, ?, ?, 'QUEUED', ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)")) {
            boolean batched = false;
            for (NewJob j : jobs) {
                bindJobRow(ps, 1, j);
                if (j.signature() == null) {
                    ps.addBatch();
                    batched = true;
                    continue;
                }
                try {
                    holdSignature(c, j);
                    ps.executeUpdate();
                } catch (SQLException e) {
                    if (dialect.isUniqueViolation(e)) throw duplicate(j);
                    throw e;
                }
            }
            if (batched) ps.executeBatch();
        }
    }

    /** Many jobs in one statement; a skipped duplicate makes the count short. */
    private void insertMany(Connection c, List<NewJob> jobs) throws SQLException {
        // Without signatures nothing can be refused: stream the rows (COPY parses and checks far less per row than
        // an INSERT of unnested arrays). With one, the INSERT skips duplicates and lets us name the refused job.
        if (copyJobsSql != null && !anySigned(jobs)) {
            copyJobs(c, jobs);
            return;
        }
        int n = jobs.size();
        Object[][] cols = new Object[14][n];
        for (int k = 0; k < n; k++) {
            NewJob j = jobs.get(k);
            cols[0][k] = j.id();
            cols[1][k] = j.tenant().value();
            cols[2][k] = j.type().name();
            cols[3][k] = j.className();
            cols[4][k] = j.methodName();
            cols[5][k] = j.parentId();
            cols[6][k] = j.stackDepth();
            cols[7][k] = j.maxStackDepth();
            cols[8][k] = j.createdAt().toString();
            cols[9][k] = j.runAt().toString();
            cols[10][k] = j.payload();
            cols[11][k] = j.signature();
            cols[12][k] = j.requestId();
            cols[13][k] = j.consecutiveFailures();
        }
        String[] types = {"uuid", "varchar", "varchar", "varchar", "varchar", "uuid", "int4", "int4", "text", "text",
                "text", "varchar", "varchar", "int4"};
        try (PreparedStatement ps = c.prepareStatement(dialect.insertManySql(t))) {
            for (int i = 0; i < types.length; i++) ps.setArray(i + 1, c.createArrayOf(types[i], cols[i]));
            if (ps.executeUpdate() < n) throw duplicateAmong(c, jobs);
        }
    }

    /**
     * Streams new jobs' rows with {@code COPY} in PostgreSQL's binary format: ids, numbers and timestamps travel as
     * their stored bytes, so neither side formats or parses them (text COPY spent more on two timestamps per row
     * than on the rest of the row).
     */
    private void copyJobs(Connection c, List<NewJob> jobs) throws SQLException {
        // Sized from the first row (a bulk's jobs are mostly alike), so the buffer is rarely copied as it grows: field
        // lengths, the uuid, numbers, timestamps and the status take about 116 bytes besides the job's own texts.
        NewJob first = jobs.get(0);
        int rowBytes = 116 + first.tenant().value().length() + first.type().name().length()
                + first.className().length() + first.payload().length();
        CopyRows rows = new CopyRows((int) Math.min((long) jobs.size() * rowBytes + 32, 64 << 20));
        for (NewJob j : jobs) {
            rows.row(16)
                    .uuid(j.id())
                    // A bulk's tenant, type, class and status are the same strings row after row: encoded once.
                    .repeated(0, j.tenant().value())
                    .repeated(1, j.type().name())
                    .repeated(2, j.className())
                    .text(j.methodName())
                    .repeated(3, "QUEUED")
                    .uuid(j.parentId())
                    .int4(j.stackDepth())
                    .int4(j.maxStackDepth())
                    .timestamptz(j.createdAt())
                    .timestamptz(j.runAt())
                    .text(j.payload())
                    .text(j.signature())
                    .text(j.requestId())
                    .int4(j.consecutiveFailures())
                    .int2((short) 0);
        }
        try {
            long written = c.unwrap(org.postgresql.PGConnection.class).getCopyAPI()
                    .copyIn(copyJobsSql, rows.finish());
            if (written != jobs.size()) {
                throw new SQLException("COPY wrote " + written + " of " + jobs.size() + " jobs");
            }
        } catch (java.io.IOException e) {
            throw new SQLException("COPY of " + jobs.size() + " jobs failed: " + e.getMessage(), e);
        }
    }

    /** Names the first job whose signature is held (after a bulk insert skipped one). */
    private DuplicateJobException duplicateAmong(Connection c, List<NewJob> jobs) throws SQLException {
        for (NewJob j : jobs) {
            if (j.signature() == null) continue;
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM " + t.job()
                    + " WHERE tenant_id = ? AND signature = ? AND state IS NOT NULL")) {
                ps.setString(1, j.tenant().value());
                ps.setString(2, j.signature());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && !j.id().equals(Jdbc.getUuid(rs, "id"))) return duplicate(j);
                }
            }
        }
        return duplicate(jobs.stream().filter(j -> j.signature() != null).findFirst().orElse(jobs.get(0)));
    }

    private void bindJobRow(PreparedStatement ps, int i, NewJob j) throws SQLException {
        Jdbc.setUuid(ps, i++, j.id());
        ps.setString(i++, j.tenant().value());
        ps.setString(i++, j.type().name());
        ps.setString(i++, j.className());
        ps.setString(i++, j.methodName());
        Jdbc.setUuid(ps, i++, j.parentId());
        ps.setInt(i++, j.stackDepth());
        Jdbc.setInteger(ps, i++, j.maxStackDepth());
        dialect.setInstant(ps, i++, j.createdAt());
        dialect.setInstant(ps, i++, j.runAt());
        ps.setString(i++, j.payload());
        ps.setString(i++, j.signature());
        ps.setString(i++, j.requestId());
        ps.setInt(i, j.consecutiveFailures());
    }

    private static DuplicateJobException duplicate(NewJob j) {
        return new DuplicateJobException("attempt to enqueue job with duplicate queueable signature: tenant '"
                + j.tenant() + "' already has a queued, holding, preparing or processing job with signature '"
                + DuplicateSignature.readable(j.signature()) + "'");
    }

    // ---- claim

    @Override
    public List<TenantId> readyTenants(Instant now, int max) {
        return jdbc.inTransaction("find tenants with ready jobs", c -> {
            try (PreparedStatement ps = c.prepareStatement(dialect.readyTenantsSql(t))) {
                Jdbc.setInstant(ps, 1, now);
                ps.setInt(2, max);
                List<TenantId> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(new TenantId(rs.getString(1)));
                }
                return out;
            }
        });
    }

    @Override
    public Optional<Instant> nextRunAt(Instant now) {
        return jdbc.inTransaction("find the next delayed job", c -> {
            // One probe of the live index per tenant, as for the ready tenants: a plain MIN over state 0 read every
            // ready row (140-320 ms with 300,000 delayed jobs), and an idle dispatcher asks at every pass.
            try (PreparedStatement ps = c.prepareStatement("SELECT MIN(n) AS next FROM (SELECT (SELECT q.run_at FROM "
                    + t.job() + " q WHERE q.state = 0 AND q.tenant_id = t.tenant_id AND q.run_at > ?"
                    + " ORDER BY q.run_at LIMIT 1) AS n FROM " + t.tenant() + " t) x")) {
                Jdbc.setInstant(ps, 1, now);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.ofNullable(Jdbc.getInstant(rs, "next")) : Optional.empty();
                }
            }
        });
    }

    @Override
    public List<ClaimedJob> claim(ClaimRequest r) {
        if (r.tenants().isEmpty() || r.total() <= 0) return List.of();
        if (dialect.claimsInOneStatement()) {
            // One statement claims the rows, marks the jobs PROCESSING and returns them: no commit round trip.
            return jdbc.inAutoCommit("claim jobs", c -> claimInOneStatement(c, r));
        }
        return jdbc.inTransaction("claim jobs", c -> claimIn(c, r));
    }

    @Override
    public Carried completeAndClaim(List<Completion> completions, ClaimRequest r) {
        if (completions.isEmpty()) return new Carried(Set.of(), claim(r));
        return jdbc.inTransaction("complete and claim jobs", c -> {
            Set<UUID> ended = completeIn(c, completions);
            return new Carried(ended, claimIn(c, r));
        });
    }

    @Override
    public boolean claimsCarryCompletions() {
        return dialect.commitWritesPages();
    }

    /** Claims in the caller's transaction (the fair store claims under a lane's lock this way). */
    List<ClaimedJob> claimIn(Connection c, ClaimRequest r) throws SQLException {
        if (r.tenants().isEmpty() || r.total() <= 0) return List.of();
        if (dialect.claimsInOneStatement()) return claimInOneStatement(c, r);
        return claimPerTenant(c, r);
    }

    @Override
    public Optional<ClaimedJob> claimJob(TenantId tenant, UUID id, String node, Instant now, Instant leaseUntil) {
        return jdbc.inTransaction("claim job " + id, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + t.job() + " SET state = 1, node = ?,"
                    + " lease_expires_at = ?, attempt = attempt + 1, status = 'PROCESSING', started_at = ?"
                    + " WHERE tenant_id = ? AND id = ? AND state = 0 AND run_at <= ?")) {
                ps.setString(1, node);
                Jdbc.setInstant(ps, 2, leaseUntil);
                Jdbc.setInstant(ps, 3, now);
                ps.setString(4, tenant.value());
                Jdbc.setUuid(ps, 5, id);
                Jdbc.setInstant(ps, 6, now);
                if (ps.executeUpdate() == 0) return Optional.empty();
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT " + CLAIMED_COLUMNS + ", attempt FROM " + t.job()
                    + " WHERE tenant_id = ? AND id = ?")) {
                ps.setString(1, tenant.value());
                Jdbc.setUuid(ps, 2, id);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return Optional.of(claimed(rs, rs.getInt("attempt"), now));
                }
            }
        });
    }

    private static final String CLAIMED_COLUMNS = "id, tenant_id, job_type, class_name, method_name, payload,"
            + " parent_job_id, stack_depth, max_stack_depth, created_at, run_at, request_id, consecutive_failures";

    /** A claimed row; {@code startedAt} is the start the claim stored. */
    private static ClaimedJob claimed(ResultSet rs, int attempt, Instant startedAt) throws SQLException {
        return new ClaimedJob(Jdbc.getUuid(rs, "id"), new TenantId(rs.getString("tenant_id")),
                JobType.valueOf(rs.getString("job_type")), rs.getString("class_name"), rs.getString("method_name"),
                rs.getString("payload"), Jdbc.getUuid(rs, "parent_job_id"), rs.getInt("stack_depth"),
                Jdbc.getInteger(rs, "max_stack_depth"), attempt, Jdbc.getInstant(rs, "created_at"),
                Jdbc.getInstant(rs, "run_at"), rs.getString("request_id"), rs.getInt("consecutive_failures"), startedAt);
    }

    private List<ClaimedJob> claimInOneStatement(Connection c, ClaimRequest r) throws SQLException {
        List<ClaimedJob> jobs = claimFromFloors(c, r);
        // Nothing past the floors: jobs may be ready behind them (a late commit, a released job). The empty claim
        // dropped those floors, so a second one reads from the start now rather than at the next pass.
        if (jobs != null) return jobs;
        List<ClaimedJob> again = claimFromFloors(c, r);
        return again == null ? List.of() : again;
    }

    /** One claim statement, each tenant read after its floor; null when it claimed nothing and some floor was used. */
    private List<ClaimedJob> claimFromFloors(Connection c, ClaimRequest r) throws SQLException {
        if (r.tenants().size() == 1 && dialect.claimOneTenantSql(t, false) != null) return claimOneTenant(c, r);
        List<ClaimRequest.Lane> lanes = r.lanesOrEqual();
        int n = lanes.size();
        ClaimFloors.Position[] from = new ClaimFloors.Position[n];
        try (PreparedStatement ps = c.prepareStatement(dialect.claimSql(t))) {
            Object[] limits = new Object[n];
            Object[] starts = new Object[n];
            Object[] steps = new Object[n];
            Object[] excluded = new Object[n];
            Object[] floorAts = new Object[n];
            Object[] floorIds = new Object[n];
            for (int k = 0; k < n; k++) {
                ClaimRequest.Lane lane = lanes.get(k);
                limits[k] = lane.limit();
                starts[k] = lane.start();
                steps[k] = lane.step();
                excluded[k] = lane.excludedList();
                from[k] = floors.start(r.tenants().get(k), r.now());
                if (from[k] != null) {
                    floorAts[k] = Timestamps.text(from[k].runAt());
                    floorIds[k] = from[k].id();
                }
            }
            ps.setArray(1, c.createArrayOf("varchar", r.tenants().stream().map(TenantId::value).toArray()));
            ps.setArray(2, c.createArrayOf("int4", limits));
            ps.setArray(3, c.createArrayOf("float8", starts));
            ps.setArray(4, c.createArrayOf("float8", steps));
            ps.setArray(5, c.createArrayOf("varchar", excluded));
            ps.setArray(6, c.createArrayOf("text", floorAts));
            ps.setArray(7, c.createArrayOf("uuid", floorIds));
            Jdbc.setInstant(ps, 8, r.now());
            ps.setInt(9, r.total());
            ps.setString(10, r.node());
            Jdbc.setInstant(ps, 11, r.leaseUntil());
            Jdbc.setInstant(ps, 12, r.now());
            record Row(ClaimedJob job, double key, long ord) {
            }
            List<Row> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new Row(claimed(rs, rs.getInt("attempt"), r.now()), rs.getDouble("vkey"), rs.getLong("ord")));
                }
            }
            // Serve in key order, ties in the tenants' listed order: the fair order.
            rows.sort(java.util.Comparator.comparingDouble(Row::key).thenComparingLong(Row::ord));
            List<ClaimedJob> jobs = rows.stream().map(Row::job).toList();
            // A tenant's jobs come in its own order (its keys grow with its age order); it may have more when it got its
            // lane's limit, or when the claim stopped at its total first.
            boolean totalReached = jobs.size() >= r.total();
            Map<TenantId, List<ClaimedJob>> byTenant = new HashMap<>();
            for (ClaimedJob j : jobs) byTenant.computeIfAbsent(j.tenant(), x -> new ArrayList<>()).add(j);
            for (int k = 0; k < n; k++) {
                TenantId tenant = r.tenants().get(k);
                List<ClaimedJob> taken = byTenant.getOrDefault(tenant, List.of());
                ClaimRequest.Lane lane = lanes.get(k);
                floors.claimed(tenant, from[k], taken, totalReached || taken.size() >= lane.limit(),
                        !lane.excluded().isEmpty(), r.now());
            }
            return jobs.isEmpty() && anyFloor(from) ? null : jobs;
        }
    }

    /** The fair claim of one tenant, in a statement planned once: its oldest jobs, returned oldest first. */
    private List<ClaimedJob> claimOneTenant(Connection c, ClaimRequest r) throws SQLException {
        ClaimRequest.Lane lane = r.lanesOrEqual().get(0);
        TenantId tenant = r.tenants().get(0);
        String excluded = lane.excludedList();
        ClaimFloors.Position from = floors.start(tenant, r.now());
        int limit = Math.min(lane.limit(), r.total());
        try (PreparedStatement ps = c.prepareStatement(dialect.claimOneTenantSql(t, excluded != null))) {
            int i = 1;
            ps.setString(i++, tenant.value());
            Jdbc.setInstant(ps, i++, r.now());
            dialect.setInstant(ps, i++, from == null ? null : from.runAt());
            Jdbc.setUuid(ps, i++, from == null ? null : from.id());
            if (excluded != null) ps.setString(i++, excluded);
            ps.setInt(i++, limit);
            ps.setString(i++, r.node());
            Jdbc.setInstant(ps, i++, r.leaseUntil());
            Jdbc.setInstant(ps, i, r.now());
            List<ClaimedJob> jobs = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) jobs.add(claimed(rs, rs.getInt("attempt"), r.now()));
            }
            // RETURNING keeps no order: oldest first, as the statement picked them (ids compared as PostgreSQL does).
            jobs.sort(java.util.Comparator.comparing(ClaimedJob::runAt)
                    .thenComparing(ClaimedJob::id, SqlJobStore::compareUnsigned));
            floors.claimed(tenant, from, jobs, jobs.size() >= limit, excluded != null, r.now());
            return jobs.isEmpty() && from != null ? null : jobs;
        }
    }

    private static boolean anyFloor(ClaimFloors.Position[] from) {
        for (ClaimFloors.Position p : from) if (p != null) return true;
        return false;
    }

    private static int compareUnsigned(UUID a, UUID b) {
        int high = Long.compareUnsigned(a.getMostSignificantBits(), b.getMostSignificantBits());
        return high != 0 ? high : Long.compareUnsigned(a.getLeastSignificantBits(), b.getLeastSignificantBits());
    }

    /**
     * Claims up to each lane's limit of ready jobs of each tenant, each with one statement that takes only rows still
     * ready (so two nodes never both claim one) and reads them back, and returns them in key order as the
     * one-statement claim does.
     */
    private List<ClaimedJob> claimPerTenant(Connection c, ClaimRequest r) throws SQLException {
        record Taken(ClaimedJob job, double key, int ord) {
        }
        List<Taken> all = new ArrayList<>();
        List<ClaimRequest.Lane> lanes = r.lanesOrEqual();
        // Tenants whose first key is smallest go first, so the jobs they deserve are taken before the total runs out.
        Integer[] order = new Integer[lanes.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        java.util.Arrays.sort(order, java.util.Comparator.comparingDouble(i -> lanes.get(i).start() + lanes.get(i).step()));
        int left = r.total();
        // Ordering by the whole index (its leading columns are constants here) lets H2 read just the LIMIT's rows in
        // index order; ordered by run_at alone it would read and sort every ready row of the tenant.
        try (PreparedStatement pick = c.prepareStatement("SELECT id FROM " + t.job()
                + " WHERE state = 0 AND tenant_id = ? AND run_at <= ?"
                + " AND (CAST(? AS VARCHAR) IS NULL OR LOCATE(',' || job_type || ',', ?) = 0)"
                + " ORDER BY state, tenant_id, run_at, id LIMIT ?");
             // Take the rows still ready and read them back in one statement (H2's data change delta table).
             PreparedStatement take = c.prepareStatement("SELECT " + CLAIMED_COLUMNS + ", attempt FROM FINAL TABLE"
                     + " (UPDATE " + t.job() + " SET state = 1, node = ?, lease_expires_at = ?, attempt = attempt + 1,"
                     + " status = 'PROCESSING', started_at = ? WHERE " + keysIn(ID_CHUNK) + " AND state = 0)")) {
            for (int i : order) {
                if (left <= 0) break;
                ClaimRequest.Lane lane = lanes.get(i);
                pick.setString(1, r.tenants().get(i).value());
                Jdbc.setInstant(pick, 2, r.now());
                pick.setString(3, lane.excludedList());
                pick.setString(4, lane.excludedList());
                pick.setInt(5, Math.min(left, lane.limit()));
                List<UUID> candidates = new ArrayList<>();
                try (ResultSet rs = pick.executeQuery()) {
                    while (rs.next()) candidates.add(Jdbc.getUuid(rs, "id"));
                }
                if (candidates.isEmpty()) continue;
                Map<UUID, ClaimedJob> taken = new HashMap<>();
                for (List<UUID> chunk : chunks(candidates)) {
                    take.setString(1, r.node());
                    Jdbc.setInstant(take, 2, r.leaseUntil());
                    Jdbc.setInstant(take, 3, r.now());
                    bindKeys(take, 4, r.tenants().get(i), chunk);
                    try (ResultSet rs = take.executeQuery()) {
                        while (rs.next()) {
                            ClaimedJob job = claimed(rs, rs.getInt("attempt"), r.now());
                            taken.put(job.id(), job);
                        }
                    }
                }
                // Keep the oldest-first order of the pick; a row another node took in between is gone.
                int k = 0;
                for (UUID id : candidates) {
                    ClaimedJob job = taken.get(id);
                    if (job != null) all.add(new Taken(job, lane.start() + lane.step() * ++k, i));
                }
                left -= k;
            }
        }
        all.sort(java.util.Comparator.comparingDouble(Taken::key).thenComparingInt(Taken::ord));
        return all.stream().map(Taken::job).toList();
    }

    // ---- complete, release

    @Override
    public Set<UUID> complete(Connection connection, List<Completion> completions) {
        return Jdbc.inConnection(connection, "complete jobs", c -> completeIn(c, completions));
    }

    @Override
    public Set<UUID> complete(List<Completion> completions) {
        if (completions.isEmpty()) return Set.of();
        if (dialect.completesInOneStatement()) {
            return jdbc.inAutoCommit("complete jobs", c -> completeIn(c, completions));
        }
        return jdbc.inTransaction("complete jobs", c -> completeIn(c, completions));
    }

    private Set<UUID> completeIn(Connection c, List<Completion> unordered) throws SQLException {
        if (unordered.isEmpty()) return Set.of();
        // Row locks in id order, as lease renewal takes them, so the two never deadlock.
        List<Completion> completions = new ArrayList<>(unordered);
        completions.sort(java.util.Comparator.comparing(Completion::id));
        if (dialect.completesInOneStatement()) {
            try (PreparedStatement ps = c.prepareStatement(dialect.completeSql(t))) {
                int n = completions.size();
                Object[] ids = new Object[n];
                Object[] tenants = new Object[n];
                Object[] attempts = new Object[n];
                Object[] statuses = new Object[n];
                Object[] ext = new Object[n];
                Object[] done = new Object[n];
                for (int k = 0; k < n; k++) {
                    Completion x = completions.get(k);
                    ids[k] = x.id();
                    tenants[k] = x.tenant().value();
                    attempts[k] = x.attempt();
                    statuses[k] = x.status().name();
                    ext[k] = truncate(x.extendedStatus());
                    done[k] = x.completedAt().toString();
                }
                ps.setArray(1, c.createArrayOf("uuid", ids));
                ps.setArray(2, c.createArrayOf("varchar", tenants));
                ps.setArray(3, c.createArrayOf("int4", attempts));
                ps.setArray(4, c.createArrayOf("varchar", statuses));
                ps.setArray(5, c.createArrayOf("varchar", ext));
                ps.setArray(6, c.createArrayOf("text", done));
                Set<UUID> accepted = new HashSet<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) accepted.add(Jdbc.getUuid(rs, "id"));
                }
                return accepted;
            }
        }
        // The attempt fences the completion: a node whose lease expired (and whose job another attempt now owns)
        // ends nothing here, and its outcome is dropped.
        Set<UUID> accepted = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + t.job() + " SET state = NULL, lease_expires_at = NULL,"
                + " status = ?, extended_status = ?, number_of_errors = ?, items_processed = ?, completed_at = ?"
                + " WHERE tenant_id = ? AND id = ? AND attempt = ? AND state = 1")) {
            for (Completion done : completions) {
                ps.setString(1, done.status().name());
                ps.setString(2, truncate(done.extendedStatus()));
                ps.setInt(3, done.status() == JobStatus.FAILED ? 1 : 0);
                ps.setInt(4, done.status() == JobStatus.ABORTED ? 0 : 1);
                Jdbc.setInstant(ps, 5, done.completedAt());
                ps.setString(6, done.tenant().value());
                Jdbc.setUuid(ps, 7, done.id());
                ps.setInt(8, done.attempt());
                ps.addBatch();
            }
            int[] counts = ps.executeBatch();
            for (int k = 0; k < counts.length; k++) {
                if (counts[k] > 0) accepted.add(completions.get(k).id());
            }
        }
        return accepted;
    }

    @Override
    public int release(String node, Collection<ClaimedJob> jobs) {
        if (jobs.isEmpty()) return 0;
        int n = jdbc.inTransaction("release jobs", c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + t.job() + " SET state = 0, node = NULL,"
                    + " lease_expires_at = NULL, attempt = attempt - 1, status = 'QUEUED', started_at = NULL"
                    + " WHERE tenant_id = ? AND id = ? AND attempt = ? AND node = ? AND state = 1")) {
                for (ClaimedJob j : jobs) {
                    ps.setString(1, j.tenant().value());
                    Jdbc.setUuid(ps, 2, j.id());
                    ps.setInt(3, j.attempt());
                    ps.setString(4, node);
                    ps.addBatch();
                }
                int released = 0;
                for (int count : ps.executeBatch()) if (count > 0) released++;
                return released;
            }
        });
        // Committed: back in the queue at their old run times, behind this node's floors.
        for (ClaimedJob j : jobs) floors.reset(j.tenant());
        return n;
    }

    /** Jobs of this tenant became ready again at their old run times (committed): its next claim reads from the start. */
    void readyBehindFloors(TenantId tenant) {
        floors.reset(tenant);
    }

    // ---- leases, rescue, abort

    @Override
    public int renewLeases(String node, Instant leaseUntil) {
        return jdbc.inTransaction("renew leases", c -> {
            String sql = dialect.renewLeasesSql(t);
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                Jdbc.setInstant(ps, 1, leaseUntil);
                ps.setString(2, node);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public Set<UUID> abortRequested(String node) {
        return jdbc.inTransaction("find abort requests", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM " + t.job()
                    + " WHERE state = 1 AND node = ? AND abort_requested = TRUE")) {
                ps.setString(1, node);
                Set<UUID> out = new HashSet<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(Jdbc.getUuid(rs, "id"));
                }
                return out;
            }
        });
    }

    @Override
    public RescueResult rescue(Instant now, int maxAttempts) {
        RescueResult result = jdbc.inTransaction("rescue expired leases", c -> {
            record Expired(UUID id, TenantId tenant, JobType type, int attempt, String node, boolean abort, Instant runAt,
                           Instant startedAt) {
            }
            List<Expired> expired = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, tenant_id, job_type, attempt, node, abort_requested,"
                    + " run_at, started_at FROM "
                    + t.job() + " WHERE state = 1 AND lease_expires_at < ? ORDER BY lease_expires_at LIMIT 500"
                    + " FOR UPDATE SKIP LOCKED")) {
                Jdbc.setInstant(ps, 1, now);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        expired.add(new Expired(Jdbc.getUuid(rs, "id"), new TenantId(rs.getString("tenant_id")),
                                JobType.valueOf(rs.getString("job_type")), rs.getInt("attempt"), rs.getString("node"), rs.getBoolean("abort_requested"),
                                Jdbc.getInstant(rs, "run_at"), Jdbc.getInstant(rs, "started_at")));
                    }
                }
            }
            if (expired.isEmpty()) return new RescueResult(0, 0, 0);
            int requeued = 0;
            int failed = 0;
            int aborted = 0;
            List<Completion> ended = new ArrayList<>();
            List<LogRow> notes = new ArrayList<>();
            List<RescueResult.Rescued> rescued = new ArrayList<>();
            try (PreparedStatement requeue = c.prepareStatement("UPDATE " + t.job() + " SET state = 0, node = NULL,"
                    + " lease_expires_at = NULL, status = 'QUEUED' WHERE tenant_id = ? AND id = ? AND attempt = ? AND state = 1")) {
                for (Expired e : expired) {
                    String why = "lease expired on node " + e.node() + " during attempt " + e.attempt() + " of " + maxAttempts
                            + " (the node died or stalled)";
                    if (e.abort()) {
                        ended.add(new Completion(e.id(), e.tenant(), e.attempt(), JobStatus.ABORTED, "aborted; " + why, now));
                        rescued.add(new RescueResult.Rescued(e.id(), e.tenant(), e.type(), JobStatus.ABORTED, e.runAt(),
                                e.startedAt(), now));
                        aborted++;
                    } else if (e.attempt() >= maxAttempts) {
                        ended.add(new Completion(e.id(), e.tenant(), e.attempt(), JobStatus.FAILED, "gave up: " + why, now));
                        rescued.add(new RescueResult.Rescued(e.id(), e.tenant(), e.type(), JobStatus.FAILED, e.runAt(),
                                e.startedAt(), now));
                        failed++;
                    } else {
                        requeue.setString(1, e.tenant().value());
                        Jdbc.setUuid(requeue, 2, e.id());
                        requeue.setInt(3, e.attempt());
                        requeue.addBatch();
                        rescued.add(new RescueResult.Rescued(e.id(), e.tenant(), e.type(), JobStatus.QUEUED, e.runAt(),
                                e.startedAt(), null));
                        requeued++;
                    }
                    notes.add(new LogRow(e.id(), e.tenant(), now, LogLevel.WARN, "rescued: " + why, null, "rescuer", null, null));
                }
                if (requeued > 0) requeue.executeBatch();
            }
            completeIn(c, ended);
            insertLog(c, notes);
            return new RescueResult(requeued, failed, aborted, rescued);
        });
        // Committed: the requeued jobs are ready again at their old run times, behind this node's floors.
        for (RescueResult.Rescued j : result.jobs()) if (j.status() == JobStatus.QUEUED) floors.reset(j.tenant());
        return result;
    }

    @Override
    // Any job not running (ready, or held by a flag) is aborted at once.
    public AbortOutcome abort(TenantId tenant, UUID id, Instant now) {
        return jdbc.inTransaction("abort job " + id, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + t.job() + " SET state = NULL, status = 'ABORTED',"
                    + " completed_at = ?, extended_status = ? WHERE tenant_id = ? AND id = ? AND state <> 1")) {
                Jdbc.setInstant(ps, 1, now);
                ps.setString(2, "aborted before it started");
                ps.setString(3, tenant.value());
                Jdbc.setUuid(ps, 4, id);
                if (ps.executeUpdate() > 0) return AbortOutcome.ABORTED;
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + t.job()
                    + " SET abort_requested = TRUE WHERE tenant_id = ? AND id = ? AND state = 1")) {
                ps.setString(1, tenant.value());
                Jdbc.setUuid(ps, 2, id);
                return ps.executeUpdate() > 0 ? AbortOutcome.REQUESTED : AbortOutcome.NOT_FOUND;
            }
        });
    }

    @Override
    public int prune(TenantId tenant, Instant before, int max) {
        return jdbc.inTransaction("prune jobs of " + tenant, c -> {
            List<UUID> ids = new ArrayList<>();
            // A job completed before the cutoff was created before it, and ids are time-ordered: the key's range of
            // the tenant's ids up to the cutoff (a second of slack for clocks) holds every candidate, so no index on
            // completed_at is needed. It reads the tenant's jobs created before the cutoff, oldest first: the history
            // the retention is about to prune, plus those still live or ended since.
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM " + t.job()
                    + " WHERE tenant_id = ? AND id < ? AND completed_at < ? ORDER BY id LIMIT ?")) {
                ps.setString(1, tenant.value());
                Jdbc.setUuid(ps, 2, idAt(before.plusSeconds(1)));
                Jdbc.setInstant(ps, 3, before);
                ps.setInt(4, max);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) ids.add(Jdbc.getUuid(rs, "id"));
                }
            }
            for (int from = 0; from < ids.size(); from += 500) {
                List<UUID> part = ids.subList(from, Math.min(ids.size(), from + 500));
                deleteIn(c, t.log(), "job_id", part);
                deleteJobs(c, tenant, part);
            }
            return ids.size();
        });
    }

    private void deleteJobs(Connection c, TenantId tenant, List<UUID> ids) throws SQLException {
        if (dialect.bindsArrays()) {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + t.job() + " WHERE tenant_id = ? AND id = ANY(?)")) {
                ps.setString(1, tenant.value());
                ps.setArray(2, c.createArrayOf("uuid", ids.toArray()));
                ps.executeUpdate();
            }
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + t.job() + " WHERE " + keysIn(ID_CHUNK))) {
            for (List<UUID> chunk : chunks(ids)) {
                bindKeys(ps, 1, tenant, chunk);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static void deleteIn(Connection c, String table, String column, List<UUID> ids) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "DELETE FROM " + table + " WHERE " + column + " IN (" + placeholders(ids.size()) + ")")) {
            int i = 1;
            for (UUID id : ids) Jdbc.setUuid(ps, i++, id);
            ps.executeUpdate();
        }
    }

    // ---- monitoring

    @Override
    public Optional<JobRecord> find(TenantId tenant, JobId id) {
        return jdbc.inTransaction("read job " + id, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT " + JOB_COLUMNS + " FROM " + t.job() + " WHERE tenant_id = ? AND id = ?")) {
                ps.setString(1, tenant.value());
                Jdbc.setUuid(ps, 2, id.uuid());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(record(rs)) : Optional.empty();
                }
            }
        });
    }

    /** A query's WHERE clause and its arguments. */
    private record Where(String sql, List<Object> args) {
    }

    private Where where(JobQuery q, boolean withCursor) {
        StringBuilder sql = new StringBuilder(" WHERE tenant_id = ?");
        List<Object> args = new ArrayList<>();
        args.add(q.tenant().value());
        if (!q.statuses().isEmpty()) {
            sql.append(" AND status IN (").append(placeholders(q.statuses().size())).append(')');
            q.statuses().forEach(s -> args.add(s.name()));
        }
        if (!q.types().isEmpty()) {
            sql.append(" AND job_type IN (").append(placeholders(q.types().size())).append(')');
            q.types().forEach(s -> args.add(s.name()));
        }
        if (q.className() != null) {
            sql.append(" AND class_name = ?");
            args.add(q.className());
        }
        if (q.parentJobId() != null) {
            sql.append(" AND ").append(dialect.parentIsSql(t));
            args.add(q.parentJobId().uuid());
        }
        // Ids are time-ordered (UUIDv7), so a creation range is also an id range: the id bounds (with a second of
        // slack) let the (tenant_id, id) index skip history outside the range; created_at stays the exact filter.
        if (q.createdFrom() != null) {
            sql.append(" AND created_at >= ? AND id >= ?");
            args.add(q.createdFrom());
            args.add(idAt(q.createdFrom().minusSeconds(1)));
        }
        if (q.createdTo() != null) {
            sql.append(" AND created_at < ? AND id < ?");
            args.add(q.createdTo());
            args.add(idAt(q.createdTo().plusSeconds(1)));
        }
        if (withCursor && q.after() != null) {
            sql.append(" AND id < ?");
            args.add(q.after().uuid());
        }
        return new Where(sql.toString(), args);
    }

    /** The smallest time-ordered id of this instant's millisecond. */
    static UUID idAt(Instant t) {
        return new UUID(Math.max(0, t.toEpochMilli()) << 16, 0);
    }

    private static void bind(PreparedStatement ps, List<Object> args) throws SQLException {
        int i = 1;
        for (Object a : args) {
            if (a instanceof Instant instant) Jdbc.setInstant(ps, i++, instant);
            else ps.setObject(i++, a);
        }
    }

    @Override
    public JobPage find(JobQuery q) {
        Where w = where(q, true);
        // Newest first by id: ids are creation-ordered, so pages never skip or repeat.
        String sql = "SELECT " + JOB_COLUMNS + " FROM " + t.job() + w.sql() + " ORDER BY id DESC LIMIT ?";
        return jdbc.inTransaction("query jobs", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                List<Object> args = new ArrayList<>(w.args());
                args.add(q.limit() + 1);
                bind(ps, args);
                List<JobRecord> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(record(rs));
                }
                if (out.size() > q.limit()) {
                    out = out.subList(0, q.limit());
                    return new JobPage(List.copyOf(out), Optional.of(out.get(out.size() - 1).id()));
                }
                return new JobPage(List.copyOf(out), Optional.empty());
            }
        });
    }

    @Override
    public Map<JobStatus, Long> countByStatus(JobQuery q) {
        Where w = where(q, false);
        String sql = "SELECT status, COUNT(*) AS n FROM " + t.job() + w.sql() + " GROUP BY status";
        return jdbc.inTransaction("count jobs", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                bind(ps, w.args());
                Map<JobStatus, Long> out = new java.util.EnumMap<>(JobStatus.class);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.put(JobStatus.valueOf(rs.getString("status")), rs.getLong("n"));
                }
                return out;
            }
        });
    }

    static JobRecord record(ResultSet rs) throws SQLException {
        UUID parent = Jdbc.getUuid(rs, "parent_job_id");
        return new JobRecord(JobId.of(Jdbc.getUuid(rs, "id")), new TenantId(rs.getString("tenant_id")),
                JobType.valueOf(rs.getString("job_type")), rs.getString("class_name"), rs.getString("method_name"),
                JobStatus.valueOf(rs.getString("status")), rs.getString("extended_status"), rs.getInt("number_of_errors"),
                rs.getInt("items_processed"), rs.getInt("total_items"), parent == null ? null : JobId.of(parent),
                rs.getInt("stack_depth"), Jdbc.getInteger(rs, "max_stack_depth"), rs.getInt("attempt"), rs.getString("node"),
                Jdbc.getInstant(rs, "created_at"), Jdbc.getInstant(rs, "run_at"), Jdbc.getInstant(rs, "started_at"),
                Jdbc.getInstant(rs, "completed_at"));
    }

    // ---- log

    @Override
    public void appendLog(List<LogRow> rows) {
        if (rows.isEmpty()) return;
        jdbc.inTransaction("save job log", c -> {
            insertLog(c, rows);
            return null;
        });
    }

    private void insertLog(Connection c, List<LogRow> rows) throws SQLException {
        if (rows.isEmpty()) return;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + t.log() + " (job_id, tenant_id, logged_at, level,"
                + " message, scenario, transaction_id, parent_transaction_id, error_type, error_message, error_stack)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (LogRow r : rows) {
                Jdbc.setUuid(ps, 1, r.jobId());
                ps.setString(2, r.tenant().value());
                Jdbc.setInstant(ps, 3, r.time());
                ps.setString(4, r.level().name());
                ps.setString(5, r.message());
                ps.setString(6, r.scenario());
                ps.setString(7, r.transactionId());
                ps.setString(8, r.parentTransactionId());
                ps.setString(9, r.error() == null ? null : r.error().type());
                ps.setString(10, r.error() == null ? null : r.error().message());
                ps.setString(11, r.error() == null ? null : r.error().stackTrace());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    @Override
    public List<JobLogEntry> log(TenantId tenant, JobId id) {
        return jdbc.inTransaction("read job log of " + id, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM " + t.log()
                    + " WHERE job_id = ? AND tenant_id = ? ORDER BY id")) {
                Jdbc.setUuid(ps, 1, id.uuid());
                ps.setString(2, tenant.value());
                List<JobLogEntry> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String type = rs.getString("error_type");
                        out.add(new JobLogEntry(id, Jdbc.getInstant(rs, "logged_at"), LogLevel.valueOf(rs.getString("level")),
                                rs.getString("message"), rs.getString("scenario"), rs.getString("transaction_id"),
                                rs.getString("parent_transaction_id"), type == null ? null
                                        : new JobError(type, rs.getString("error_message"), rs.getString("error_stack"))));
                    }
                }
                return Collections.unmodifiableList(out);
            }
        });
    }

    private static String truncate(String s) {
        return s == null || s.length() <= EXTENDED_STATUS_MAX ? s : s.substring(0, EXTENDED_STATUS_MAX - 1) + "…";
    }

    /**
     * Ids per IN list. H2 finds rows by index for an IN list but scans for {@code = ANY(array)}, and a list of one
     * fixed length keeps the statement text constant, so it is parsed once; short lists repeat their last id.
     */
    static final int ID_CHUNK = 64;

    static List<List<UUID>> chunks(List<UUID> ids) {
        List<List<UUID>> out = new ArrayList<>();
        for (int i = 0; i < ids.size(); i += ID_CHUNK) out.add(ids.subList(i, Math.min(ids.size(), i + ID_CHUNK)));
        return out;
    }

    /**
     * A condition on {@code ID_CHUNK} job keys, {@code (tenant_id, id) IN ((?, ?), …)}: H2 finds each row by the key
     * for a list of row values, where for {@code tenant_id = ? AND id IN (…)} it would read the tenant's whole range.
     */
    static String keysIn(int n) {
        return "(tenant_id, id) IN (" + String.join(", ", Collections.nCopies(n, "(?, ?)")) + ")";
    }

    /** Binds one tenant's ids to {@link #keysIn}'s list; a short chunk repeats its last id. */
    static void bindKeys(PreparedStatement ps, int first, TenantId tenant, List<UUID> chunk) throws SQLException {
        for (int k = 0; k < ID_CHUNK; k++) {
            ps.setString(first + 2 * k, tenant.value());
            Jdbc.setUuid(ps, first + 2 * k + 1, chunk.get(Math.min(k, chunk.size() - 1)));
        }
    }

    static String placeholders(int n) {
        return String.join(", ", Collections.nCopies(n, "?"));
    }
}
