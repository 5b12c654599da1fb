package dev.millrace.internal.store.sql;

import dev.millrace.internal.store.StoreException;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import javax.sql.DataSource;

/** The store's small JDBC helper: transactions and value binding, with SQL errors turned unchecked. */
final class Jdbc {
    private final DataSource dataSource;

    Jdbc(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    DataSource dataSource() {
        return dataSource;
    }

    /** Work in a transaction of its own; committed when it returns, rolled back when it throws. */
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    <T> T inTransaction(String what, Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            boolean auto = c.getAutoCommit();
            if (auto) c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (Throwable e) {
                rollbackQuietly(c, e);
                throw e;
            } finally {
                if (auto) c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException(what + " failed: " + e.getMessage(), e);
        }
    }

    /** One statement in autocommit mode: its own transaction, with no separate commit round trip. */
    <T> T inAutoCommit(String what, Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            boolean auto = c.getAutoCommit();
            if (!auto) c.setAutoCommit(true);
            try {
                return work.run(c);
            } finally {
                if (!auto) c.setAutoCommit(false);
            }
        } catch (SQLException e) {
            throw new StoreException(what + " failed: " + e.getMessage(), e);
        }
    }

    /** Work in the caller's connection: no commit, SQL errors turned unchecked. */
    static <T> T inConnection(Connection c, String what, Work<T> work) {
        try {
            return work.run(c);
        } catch (SQLException e) {
            throw new StoreException(what + " failed: " + e.getMessage(), e);
        }
    }

    static void rollbackQuietly(Connection c, Throwable cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    static void setInstant(PreparedStatement ps, int i, Instant t) throws SQLException {
        if (t == null) ps.setNull(i, Types.TIMESTAMP_WITH_TIMEZONE);
        else ps.setObject(i, OffsetDateTime.ofInstant(t, ZoneOffset.UTC));
    }

    static Instant getInstant(ResultSet rs, String col) throws SQLException {
        OffsetDateTime t = rs.getObject(col, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    static void setUuid(PreparedStatement ps, int i, UUID id) throws SQLException {
        if (id == null) ps.setNull(i, Types.OTHER);
        else ps.setObject(i, id);
    }

    static UUID getUuid(ResultSet rs, String col) throws SQLException {
        return rs.getObject(col, UUID.class);
    }

    static void setInteger(PreparedStatement ps, int i, Integer v) throws SQLException {
        if (v == null) ps.setNull(i, Types.INTEGER);
        else ps.setInt(i, v);
    }

    static Integer getInteger(ResultSet rs, String col) throws SQLException {
        int v = rs.getInt(col);
        return rs.wasNull() ? null : v;
    }

}
