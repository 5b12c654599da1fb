package dev.millrace.internal.store.sql;

/** PostgreSQL: one-statement inserts and claims, SKIP LOCKED, LISTEN/NOTIFY, advisory locks. */
final class PostgresDialect implements SqlDialect {
    /** The channel nodes listen on for new ready jobs. */
    static final String CHANNEL = "millrace_ready";
    /** The job columns an insert writes, in the order both insert statements select them. */
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
    public String insertSql(Tables t, boolean notify) {
        // One round trip: the queue row (skipped on a duplicate signature), the job row only if it was written,
        // and a NOTIFY that PostgreSQL delivers at commit.
        return "WITH q AS (INSERT INTO " + t.queue() + " (job_id, tenant_id, job_type, state, run_at, signature)"
                + " VALUES (?, ?, ?, 0, ?, ?) ON CONFLICT (tenant_id, signature) WHERE signature IS NOT NULL DO NOTHING"
                + " RETURNING job_id)"
                + (notify ? ", n AS (SELECT pg_notify('" + CHANNEL + "', '') AS x FROM q)" : "")
                + " INSERT INTO " + t.job() + " (" + NEW_JOB_COLUMNS + ")"
                + " SELECT q.job_id, ?, ?, ?, ?, 'QUEUED', ?, ?, ?, ?, ?, ?, ?, ?, ? FROM q"
                + (notify ? " LEFT JOIN n ON true" : "");
    }

    @Override
    public boolean claimsInOneStatement() {
        return true;
    }

    @Override
    public String claimSql(Tables t) {
        // Up to each lane's limit of ready jobs from each listed tenant, skipping rows other nodes hold and the lane's
        // excluded types, then at most total in all, in order of the fair-queuing key start + k × step (with equal
        // lanes: every tenant's oldest job in the listed order, then every tenant's second...). The claimed jobs are
        // marked PROCESSING and returned in the same statement with their key and tenant position, so the caller can
        // serve them in that order. Parameters: tenants[], limits[], starts[], steps[], excluded[], now, total, node,
        // leaseUntil, now, node.
        return "WITH c AS (SELECT l.job_id, t.ord,"
                + " t.start + t.step * row_number() OVER (PARTITION BY t.ord ORDER BY l.run_at, l.job_id) AS vkey"
                + " FROM unnest(?::varchar[], ?::int[], ?::float8[], ?::float8[], ?::varchar[]) WITH ORDINALITY"
                + " AS t(tenant_id, lim, start, step, excl, ord)"
                + " CROSS JOIN LATERAL (SELECT q.job_id, q.run_at FROM " + t.queue() + " q"
                + " WHERE q.tenant_id = t.tenant_id AND q.state = 0 AND q.run_at <= ?"
                + " AND (t.excl IS NULL OR strpos(t.excl, ',' || q.job_type || ',') = 0)"
                + " ORDER BY q.run_at, q.job_id LIMIT t.lim FOR UPDATE SKIP LOCKED) l),"
                + " picked AS (SELECT job_id, ord, vkey FROM c ORDER BY vkey, ord LIMIT ?),"
                + " claimed AS (UPDATE " + t.queue() + " q SET state = 1, node = ?, lease_expires_at = ?,"
                + " attempt = q.attempt + 1 FROM picked WHERE q.job_id = picked.job_id"
                + " RETURNING q.job_id, q.attempt, picked.vkey, picked.ord)"
                + " UPDATE " + t.job() + " j SET status = 'PROCESSING', started_at = ?, node = ?, attempt = claimed.attempt"
                + " FROM claimed WHERE j.id = claimed.job_id"
                + " RETURNING j.id, j.tenant_id, j.job_type, j.class_name, j.method_name, j.payload, j.parent_job_id,"
                + " j.stack_depth, j.max_stack_depth, j.created_at, j.run_at, j.request_id, j.consecutive_failures,"
                + " claimed.attempt, claimed.vkey, claimed.ord";
    }

    @Override
    public boolean completesInOneStatement() {
        return true;
    }

    @Override
    public String completeSql(Tables t) {
        // The attempt fences the completion: a queue row is deleted only while the attempt still owns it, and only
        // jobs whose row was deleted are updated. The ids are passed again as an array so both tables are reached by
        // their primary keys (joined only to unnest, the planner may scan the whole queue).
        return "WITH a AS (SELECT * FROM unnest(?::uuid[], ?::int[], ?::varchar[], ?::varchar[], ?::text[])"
                + " AS a(id, attempt, status, ext, done)),"
                + " d AS (DELETE FROM " + t.queue() + " q USING a WHERE q.job_id = ANY(?::uuid[]) AND q.job_id = a.id"
                + " AND q.attempt = a.attempt AND q.state = 1 RETURNING q.job_id)"
                + " UPDATE " + t.job() + " j SET status = a.status, extended_status = a.ext,"
                + " number_of_errors = CASE WHEN a.status = 'FAILED' THEN 1 ELSE 0 END,"
                + " items_processed = CASE WHEN a.status = 'ABORTED' THEN 0 ELSE 1 END,"
                + " completed_at = CAST(a.done AS TIMESTAMPTZ)"
                + " FROM a JOIN d ON d.job_id = a.id WHERE j.id = ANY(?::uuid[]) AND j.id = a.id RETURNING j.id";
    }

    @Override
    public String readyTenantsSql(Tables t) {
        // One probe of the partial ready index per known tenant. Parameters: now, limit.
        return "SELECT t.tenant_id FROM " + t.tenant() + " t WHERE EXISTS (SELECT 1 FROM " + t.queue() + " q"
                + " WHERE q.state = 0 AND q.tenant_id = t.tenant_id AND q.run_at <= ?) ORDER BY t.tenant_id LIMIT ?";
    }

    @Override
    public String notifySql() {
        return "SELECT pg_notify('" + CHANNEL + "', '')";
    }

    @Override
    public String renewLeasesSql(Tables t) {
        // In id order and skipping rows a completion holds: a renewal never deadlocks with a completion.
        return "UPDATE " + t.queue() + " SET lease_expires_at = ? WHERE job_id IN (SELECT job_id FROM " + t.queue()
                + " WHERE node = ? AND state = 1 ORDER BY job_id FOR UPDATE SKIP LOCKED)";
    }

    @Override
    public String insertManySql(Tables t) {
        return "WITH v AS (SELECT * FROM unnest(?::uuid[], ?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[],"
                + " ?::uuid[], ?::int[], ?::int[], ?::text[], ?::text[], ?::text[], ?::varchar[], ?::varchar[], ?::int[])"
                + " AS v(id, tenant_id, job_type, class_name, method_name, parent_job_id, stack_depth, max_stack_depth,"
                + " created_at, run_at, payload, signature, request_id, consecutive_failures)),"
                + " q AS (INSERT INTO " + t.queue() + " (job_id, tenant_id, job_type, state, run_at, signature)"
                + " SELECT id, tenant_id, job_type, 0, CAST(run_at AS TIMESTAMPTZ), signature FROM v"
                + " ON CONFLICT (tenant_id, signature) WHERE signature IS NOT NULL DO NOTHING RETURNING job_id)"
                + " INSERT INTO " + t.job() + " (" + NEW_JOB_COLUMNS + ")"
                + " SELECT v.id, v.tenant_id, v.job_type, v.class_name, v.method_name, 'QUEUED', v.parent_job_id,"
                + " v.stack_depth, v.max_stack_depth, CAST(v.created_at AS TIMESTAMPTZ), CAST(v.run_at AS TIMESTAMPTZ),"
                + " v.payload, v.signature, v.request_id, v.consecutive_failures FROM v JOIN q ON q.job_id = v.id";
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
    public boolean cutsChunksInDatabase() {
        return true;
    }
}
