package dev.millrace.internal.store.sql;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;

/** PostgreSQL: one-statement inserts and claims, SKIP LOCKED, LISTEN/NOTIFY, advisory locks. */
final class PostgresDialect implements SqlDialect {
    /** The job columns an insert writes (then state), in the order both insert statements select them. */
    private static final String NEW_JOB_COLUMNS = "id, tenant_id, job_type, class_name, method_name, status,"
            + " parent_job_id, stack_depth, max_stack_depth, created_at, run_at, payload, signature, request_id,"
            + " consecutive_failures";

    @Override
    public String name() {
        return "postgresql";
    }

    @Override
    public boolean insertsInOneStatement() {
        return true;
    }

    @Override
    public String insertSql(Tables t, boolean notify, boolean signed) {
        // One round trip: the job's one row (with a signature, skipped on a live duplicate), and with notify a NOTIFY
        // naming its tenant (a ReadyNotice) that PostgreSQL delivers at commit, sent only when the row was written;
        // several in one transaction are delivered once per tenant. With notify it returns a row per job written;
        // without, an update count.
        String insert = "INSERT INTO " + t.job() + " (" + NEW_JOB_COLUMNS + ", state)"
                + " VALUES (?, ?, ?, ?, ?, 'QUEUED', ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)" + onLiveSignature(signed);
        return notify ? "WITH q AS (" + insert + " RETURNING id, tenant_id) SELECT q.id, pg_notify('"
                + t.readyChannel().replace("'", "''") + "', q.tenant_id) FROM q"
                : insert;
    }

    @Override
    public String insertClaimedSql(Tables t, boolean signed) {
        return "INSERT INTO " + t.job() + " (" + NEW_JOB_COLUMNS + ", state, node, lease_expires_at, attempt, started_at)"
                + " VALUES (?, ?, ?, ?, ?, 'PROCESSING', ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, 1, ?)" + onLiveSignature(signed);
    }

    /**
     * Skips a row whose signature a live job of its tenant holds (the partial unique index on live rows). Only for a
     * signed job: ON CONFLICT makes every row a speculative insertion (a token, and a WAL record to confirm it)
     * even when the arbiter index cannot apply, as for a job without a signature.
     */
    private static String onLiveSignature(boolean signed) {
        return signed ? " " + ON_LIVE_SIGNATURE_DO_NOTHING : "";
    }

    /** Skips a row whose signature a live job of its tenant holds (the partial unique index on live rows). */
    private static final String ON_LIVE_SIGNATURE_DO_NOTHING =
            "ON CONFLICT (tenant_id, signature) WHERE state IS NOT NULL AND signature IS NOT NULL DO NOTHING";

    /**
     * As text (unknown type, so the server reads it as the column's timestamptz): the driver would format an
     * {@code OffsetDateTime} through a calendar it builds anew for every statement.
     */
    @Override
    public void setInstant(PreparedStatement ps, int i, Instant t) throws SQLException {
        String text = t == null ? null : Timestamps.text(t);
        if (text == null) Jdbc.setInstant(ps, i, t);
        else ps.setObject(i, text, Types.OTHER);
    }

    @Override
    public boolean claimsInOneStatement() {
        return true;
    }

    @Override
    public String claimSql(Tables t) {
        // Up to each lane's limit of ready jobs from each listed tenant, skipping rows other nodes hold and the lane's
        // excluded types, then at most total in all, in order of the fair-queuing key start + k × step (with equal
        // lanes: every tenant's oldest job in the listed order, then every tenant's second...). The claimed rows are
        // marked running and PROCESSING and returned in the same statement with their key and tenant position, so
        // the caller can serve them in that order. Each tenant's rows are read after its floor (ClaimFloors; null:
        // from the start), which the index scan starts at. Parameters: tenants[], limits[], starts[], steps[],
        // excluded[], floor run times[] (text), floor ids[], now, total, node, leaseUntil, now.
        return "WITH c AS (SELECT l.tenant_id, l.id, t.ord,"
                + " t.start + t.step * row_number() OVER (PARTITION BY t.ord ORDER BY l.run_at, l.id) AS vkey"
                + " FROM unnest(?::varchar[], ?::int[], ?::float8[], ?::float8[], ?::varchar[], ?::text[], ?::uuid[])"
                + " WITH ORDINALITY AS t(tenant_id, lim, start, step, excl, floor_at, floor_id, ord)"
                + " CROSS JOIN LATERAL (SELECT q.tenant_id, q.id, q.run_at FROM " + t.job() + " q"
                + " WHERE q.tenant_id = t.tenant_id AND q.state = 0 AND q.run_at <= ?"
                + " AND (q.run_at, q.id) > (" + FLOOR_AT.formatted("CAST(t.floor_at AS TIMESTAMPTZ)") + ", "
                + FLOOR_ID.formatted("t.floor_id") + ")"
                + " AND (t.excl IS NULL OR strpos(t.excl, ',' || q.job_type || ',') = 0)"
                + " ORDER BY q.run_at, q.id LIMIT t.lim FOR UPDATE SKIP LOCKED) l),"
                + " picked AS (SELECT tenant_id, id, ord, vkey FROM c ORDER BY vkey, ord LIMIT ?)"
                + " UPDATE " + t.job() + " j SET state = 1, node = ?, lease_expires_at = ?, attempt = j.attempt + 1,"
                + " status = 'PROCESSING', started_at = ? FROM picked WHERE j.tenant_id = picked.tenant_id AND j.id = picked.id"
                + " RETURNING j.id, j.tenant_id, j.job_type, j.class_name, j.method_name, j.payload, j.parent_job_id,"
                + " j.stack_depth, j.max_stack_depth, j.created_at, j.run_at, j.request_id, j.consecutive_failures,"
                + " j.attempt, picked.vkey, picked.ord";
    }

    @Override
    public String claimOneTenantSql(Tables t, boolean excluding) {
        // The fair claim of one tenant without the arrays, the lateral join and the window: PostgreSQL settles on one
        // generic plan for it, where the fair claim is planned afresh at every call (0.3-0.8 ms a claim here). It is
        // the claim of an idle node woken for one tenant, and of a node whose queue has one tenant.
        return "WITH picked AS (SELECT q.tenant_id, q.id FROM " + t.job() + " q"
                + " WHERE q.tenant_id = ? AND q.state = 0 AND q.run_at <= ?"
                + " AND (q.run_at, q.id) > (" + FLOOR_AT.formatted("CAST(? AS TIMESTAMPTZ)") + ", "
                + FLOOR_ID.formatted("CAST(? AS UUID)") + ")"
                + (excluding ? " AND strpos(?, ',' || q.job_type || ',') = 0" : "")
                + " ORDER BY q.run_at, q.id LIMIT ? FOR UPDATE SKIP LOCKED)"
                + " UPDATE " + t.job() + " j SET state = 1, node = ?, lease_expires_at = ?, attempt = j.attempt + 1,"
                + " status = 'PROCESSING', started_at = ? FROM picked WHERE j.tenant_id = picked.tenant_id AND j.id = picked.id"
                + " RETURNING j.id, j.tenant_id, j.job_type, j.class_name, j.method_name, j.payload, j.parent_job_id,"
                + " j.stack_depth, j.max_stack_depth, j.created_at, j.run_at, j.request_id, j.consecutive_failures,"
                + " j.attempt";
    }

    /** A claim's floor run time (ClaimFloors), or before every job when it has none. */
    private static final String FLOOR_AT = "COALESCE(%s, '-infinity'::timestamptz)";
    /** A claim's floor id, or below every id when it has none. */
    private static final String FLOOR_ID = "COALESCE(%s, '00000000-0000-0000-0000-000000000000'::uuid)";

    @Override
    public boolean completesInOneStatement() {
        return true;
    }

    @Override
    public String completeSql(Tables t) {
        // The attempt fences the completion: a row is ended only while the attempt still owns it. Each completion
        // reaches its row by the primary key (tenant_id, id), the arrays' rows driving the join; "state + 0" keeps the
        // planner off the live index, whose dead entries it would otherwise walk. (Extra "= ANY(ids)" conditions on
        // the job table once let the generic plan scan the job rows first and rescan the arrays for each of them:
        // 300 ms for 1,000 completions instead of 6.) Parameters: ids[], tenants[], attempts[], statuses[], ext[],
        // done[].
        return "WITH a AS (SELECT * FROM unnest(?::uuid[], ?::varchar[], ?::int[], ?::varchar[], ?::varchar[], ?::text[])"
                + " AS a(id, tenant_id, attempt, status, ext, done))"
                + " UPDATE " + t.job() + " j SET state = NULL, lease_expires_at = NULL, status = a.status,"
                + " extended_status = a.ext,"
                + " number_of_errors = CASE WHEN a.status = 'FAILED' THEN 1 ELSE 0 END,"
                + " items_processed = CASE WHEN a.status = 'ABORTED' THEN 0 ELSE 1 END,"
                + " completed_at = CAST(a.done AS TIMESTAMPTZ)"
                + " FROM a WHERE j.tenant_id = a.tenant_id AND j.id = a.id AND j.attempt = a.attempt AND j.state + 0 = 1"
                + " RETURNING j.id";
    }

    @Override
    public String readyTenantsSql(Tables t) {
        // One probe of the live index per known tenant. Parameters: now, limit. The LIMIT 1 keeps it a
        // probe: written as EXISTS, the planner may turn it into a hash semi-join that reads every ready row (seen
        // taking 100-200 ms with 94,000 ready rows of one flooding tenant).
        return "SELECT t.tenant_id FROM " + t.tenant() + " t CROSS JOIN LATERAL (SELECT 1 FROM " + t.job() + " q"
                + " WHERE q.state = 0 AND q.tenant_id = t.tenant_id AND q.run_at <= ? LIMIT 1) r"
                + " ORDER BY t.tenant_id LIMIT ?";
    }

    @Override
    public String notifySql() {
        return "SELECT pg_notify(?, ?)";
    }

    @Override
    public String renewLeasesSql(Tables t) {
        // In id order and skipping rows a completion holds: a renewal never deadlocks with a completion. The rows are
        // found in the live index's short range of running rows and updated by their key.
        return "UPDATE " + t.job() + " SET lease_expires_at = ? WHERE (tenant_id, id) IN (SELECT tenant_id, id FROM "
                + t.job() + " WHERE node = ? AND state = 1 ORDER BY id FOR UPDATE SKIP LOCKED)";
    }

    @Override
    public String copyJobsSql(Tables t) {
        return "COPY " + t.job() + " (" + NEW_JOB_COLUMNS + ", state) FROM STDIN (FORMAT binary)";
    }

    @Override
    public String insertManySql(Tables t) {
        return "INSERT INTO " + t.job() + " (" + NEW_JOB_COLUMNS + ", state)"
                + " SELECT v.id, v.tenant_id, v.job_type, v.class_name, v.method_name, 'QUEUED', v.parent_job_id,"
                + " v.stack_depth, v.max_stack_depth, CAST(v.created_at AS TIMESTAMPTZ), CAST(v.run_at AS TIMESTAMPTZ),"
                + " v.payload, v.signature, v.request_id, v.consecutive_failures, 0"
                + " FROM unnest(?::uuid[], ?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[],"
                + " ?::uuid[], ?::int[], ?::int[], ?::text[], ?::text[], ?::text[], ?::varchar[], ?::varchar[], ?::int[])"
                + " AS v(id, tenant_id, job_type, class_name, method_name, parent_job_id, stack_depth, max_stack_depth,"
                + " created_at, run_at, payload, signature, request_id, consecutive_failures) "
                + ON_LIVE_SIGNATURE_DO_NOTHING;
    }

    @Override
    public boolean supportsListenNotify() {
        return true;
    }

    @Override
    public String tryLeaderLockSql() {
        return "SELECT pg_try_advisory_xact_lock(?)";
    }

    @Override
    public String lockDueRowsClause() {
        return " FOR UPDATE OF s SKIP LOCKED";
    }

    @Override
    public boolean bindsArrays() {
        return true;
    }

    @Override
    public String idIn(String subquery) {
        // The subquery runs once (an init plan) and the rows are probed by key for each value; as IN (subquery) it is
        // a semi-join that PostgreSQL may run from the other side, reading every row of the tenant.
        return "= ANY(ARRAY(" + subquery + "))";
    }

    @Override
    public String joinByKey(String table, String alias, String columns, String condition) {
        // A lateral subquery with OFFSET 0 is never flattened into a join, so it runs as a key probe for each row:
        // as a join, a planner that misjudged the rows before it merged them with a walk of the table's whole key.
        return " CROSS JOIN LATERAL (SELECT " + columns + " FROM " + table + " " + alias + " WHERE " + condition
                + " OFFSET 0) " + alias;
    }
}
