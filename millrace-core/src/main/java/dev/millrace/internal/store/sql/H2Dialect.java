package dev.millrace.internal.store.sql;

/** H2, file or memory: the embedded default. One process, so claims go tenant by tenant and there is no NOTIFY. */
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
    public String insertSql(Tables t, boolean notify) {
        throw new UnsupportedOperationException("H2 inserts a job in two statements");
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
        throw new UnsupportedOperationException("H2 completes with two batched statements");
    }

    @Override
    public String readyTenantsSql(Tables t) {
        return "SELECT DISTINCT tenant_id FROM " + t.queue() + " WHERE state = 0 AND run_at <= ? ORDER BY tenant_id LIMIT ?";
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
