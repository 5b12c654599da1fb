package dev.millrace.internal.store.sql;

/**
 * H2, file or memory: the embedded default. One process, so claims go tenant by tenant and there is no NOTIFY.
 * Claims pick candidates without locking them (H2 would lock every row its scan touches, not just the ones the
 * LIMIT keeps) and take each with an update that checks the row is still ready.
 */
final class H2Dialect implements SqlDialect {

    @Override
    public String name() {
        return "h2";
    }

    @Override
    public boolean insertsInOneStatement() {
        return false;
    }

    @Override
    public String insertSql(Tables t, boolean notify, boolean signed) {
        throw new UnsupportedOperationException("H2 inserts jobs with plain statements");
    }

    @Override
    public String insertClaimedSql(Tables t, boolean signed) {
        // A live duplicate signature fails the unique index (the store names the job).
        return "INSERT INTO " + t.job() + " (id, tenant_id, job_type, class_name, method_name, status, parent_job_id,"
                + " stack_depth, max_stack_depth, created_at, run_at, payload, signature, request_id, consecutive_failures,"
                + " state, node, lease_expires_at, attempt, started_at)"
                + " VALUES (?, ?, ?, ?, ?, 'PROCESSING', ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, 1, ?)";
    }

    @Override
    public String insertManySql(Tables t) {
        return null;
    }

    @Override
    public String notifySql() {
        return null;
    }

    @Override
    public String renewLeasesSql(Tables t) {
        return "UPDATE " + t.job() + " SET lease_expires_at = ? WHERE state = 1 AND node = ?";
    }

    @Override
    public boolean claimsInOneStatement() {
        return false;
    }

    @Override
    public String claimSql(Tables t) {
        throw new UnsupportedOperationException("H2 claims tenant by tenant");
    }

    @Override
    public boolean completesInOneStatement() {
        return false;
    }

    @Override
    public String completeSql(Tables t) {
        throw new UnsupportedOperationException("H2 completes with batched updates");
    }

    @Override
    public String readyTenantsSql(Tables t) {
        // One index probe per known tenant: a DISTINCT over the queue would read every ready row on every pass.
        return "SELECT t.tenant_id FROM " + t.tenant() + " t WHERE EXISTS (SELECT 1 FROM " + t.job() + " q"
                + " WHERE q.state = 0 AND q.tenant_id = t.tenant_id AND q.run_at <= ?) ORDER BY t.tenant_id LIMIT ?";
    }

    @Override
    public boolean supportsListenNotify() {
        return false;
    }

    @Override
    public String tryLeaderLockSql() {
        return null;
    }
}
