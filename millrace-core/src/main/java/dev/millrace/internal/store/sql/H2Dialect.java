package dev.millrace.internal.store.sql;

/**
 * H2, file or memory: the embedded default. One process, so claims go tenant by tenant and there is no NOTIFY.
 * Claims pick candidates without locking them (H2 would lock every row its scan touches, not just the ones the
 * LIMIT keeps) and take each with an update that checks the row is still ready. Each commit writes a chunk of the
 * pages it dirtied ({@link #commitWritesPages()}), so claims carry the node's pending completions.
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
        // The signature, if any, is held apart (holdSignatureSql) in the same transaction.
        return "INSERT INTO " + t.job() + " (id, tenant_id, job_type, class_name, method_name, status, parent_job_id,"
                + " stack_depth, max_stack_depth, created_at, run_at, payload, signature, request_id, consecutive_failures,"
                + " state, node, lease_expires_at, attempt, started_at)"
                + " VALUES (?, ?, ?, ?, ?, 'PROCESSING', ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, 1, ?)";
    }

    /**
     * H2 rewrites every index entry of a row on every {@code UPDATE}, changed or not (2.4's {@code Table.updateRows}
     * removes the row from each index, then adds it back), so a unique index over the job rows made every claim and
     * completion pay for it, signed or not. The signatures live in a table of their own instead, written only by
     * enqueues of signed jobs; the table's primary key refuses a second live holder, and {@link H2SignatureTrigger}
     * deletes a job's entry in the update that ends it.
     */
    @Override
    public String holdSignatureSql(Tables t) {
        return "INSERT INTO " + t.signature() + " (tenant_id, signature, job_id) VALUES (?, ?, ?)";
    }

    /** A job's parent is found through mr_job_child, which H2ChildrenTrigger keeps (the job rows have no parent index). */
    @Override
    public String parentIsSql(Tables t) {
        return "id IN (SELECT job_id FROM " + t.child() + " WHERE parent_job_id = ?)";
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
    public boolean commitWritesPages() {
        return true;
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
