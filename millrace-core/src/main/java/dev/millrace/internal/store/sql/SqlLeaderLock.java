package dev.millrace.internal.store.sql;

import dev.millrace.internal.store.LeaderLock;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * A leader lock: a transaction-scoped advisory lock where the database has one (held while the work runs);
 * otherwise (H2, one process) a lock in this JVM.
 */
final class SqlLeaderLock implements LeaderLock {
    private static final ConcurrentHashMap<String, ReentrantLock> LOCAL = new ConcurrentHashMap<>();

    private final Jdbc jdbc;
    private final SqlDialect dialect;
    private final String scope;

    SqlLeaderLock(Jdbc jdbc, SqlDialect dialect, String scope) {
        this.jdbc = jdbc;
        this.dialect = dialect;
        this.scope = scope;
    }

    @Override
    public <T> T ifLeader(String name, Supplier<T> work) {
        String key = scope + "/" + name;
        if (dialect.tryLeaderLockSql() == null) {
            ReentrantLock lock = LOCAL.computeIfAbsent(key, k -> new ReentrantLock());
            if (!lock.tryLock()) return null;
            try {
                return work.get();
            } finally {
                lock.unlock();
            }
        }
        return jdbc.inTransaction("take leader lock " + name, c -> {
            try (PreparedStatement ps = c.prepareStatement(dialect.tryLeaderLockSql())) {
                ps.setLong(1, key.hashCode() * 0x9E3779B97F4A7C15L);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next() || !rs.getBoolean(1)) return null;
                }
            }
            return work.get();
        });
    }
}
