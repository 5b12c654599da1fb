package dev.millrace.internal.limits;

import dev.millrace.limits.Limit;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Locale;

/**
 * The execution's JDBC connection as user code sees it: every query, row and DML statement counted against the
 * execution's {@link ExecutionLimits}. Dynamic proxies keep it to one small class for the whole JDBC surface.
 * The transaction belongs to the engine: commit, rollback and auto-commit are refused, close is a no-op.
 */
public final class MeteredJdbc {
    private MeteredJdbc() {
    }

    /** The connection user code gets: counted, with the engine's transaction control held back. */
    public static Connection wrap(Connection real, ExecutionLimits limits) {
        return (Connection) Proxy.newProxyInstance(MeteredJdbc.class.getClassLoader(), new Class<?>[] {Connection.class},
                new ConnectionHandler(real, limits));
    }

    private static Object call(Object target, Method m, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** Whether a statement's text reads rows rather than changing them. */
    static boolean isQuery(String sql) {
        if (sql == null) return false;
        String s = sql.stripLeading();
        while (s.startsWith("(")) s = s.substring(1).stripLeading();
        String head = s.length() > 8 ? s.substring(0, 8) : s;
        head = head.toUpperCase(Locale.ROOT);
        return head.startsWith("SELECT") || head.startsWith("WITH") || head.startsWith("VALUES")
                || head.startsWith("TABLE") || head.startsWith("SHOW") || head.startsWith("EXPLAIN");
    }

    private static final class ConnectionHandler implements InvocationHandler {
        private final Connection real;
        private final ExecutionLimits limits;

        ConnectionHandler(Connection real, ExecutionLimits limits) {
            this.real = real;
            this.limits = limits;
        }

        @Override
        public Object invoke(Object proxy, Method m, Object[] args) throws Throwable {
            String name = m.getName();
            switch (name) {
                case "close":
                    return null;
                case "commit", "setAutoCommit":
                    throw new IllegalStateException("Connection." + name + " is not allowed on the execution's connection:"
                            + " Millrace commits it with the job's completion (or rolls it back when the job fails)");
                case "rollback":
                    if (args == null || args.length == 0) {
                        throw new IllegalStateException("Connection.rollback() is not allowed on the execution's connection:"
                                + " throw an exception to fail the job, or roll back to a savepoint");
                    }
                    break;
                case "equals":
                    return proxy == args[0];
                case "hashCode":
                    return System.identityHashCode(proxy);
                case "toString":
                    return "MeteredConnection[" + real + "]";
                default:
                    break;
            }
            Object result = call(real, m, args);
            if (result instanceof Statement s && (name.startsWith("create") || name.startsWith("prepare"))) {
                String sql = args != null && args.length > 0 && args[0] instanceof String t ? t : null;
                Class<?> type = s instanceof CallableStatement ? CallableStatement.class
                        : s instanceof PreparedStatement ? PreparedStatement.class : Statement.class;
                return Proxy.newProxyInstance(MeteredJdbc.class.getClassLoader(), new Class<?>[] {type},
                        new StatementHandler(s, sql, (Connection) proxy, limits));
            }
            return result;
        }
    }

    private static final class StatementHandler implements InvocationHandler {
        private final Statement real;
        private final String sql;
        private final Connection connection;
        private final ExecutionLimits limits;

        StatementHandler(Statement real, String sql, Connection connection, ExecutionLimits limits) {
            this.real = real;
            this.sql = sql;
            this.connection = connection;
            this.limits = limits;
        }

        @Override
        public Object invoke(Object proxy, Method m, Object[] args) throws Throwable {
            String name = m.getName();
            String text = args != null && args.length > 0 && args[0] instanceof String t ? t : sql;
            switch (name) {
                case "executeQuery" -> {
                    limits.add(Limit.QUERIES, 1);
                    return rows((ResultSet) call(real, m, args), proxy);
                }
                case "executeUpdate", "executeLargeUpdate" -> {
                    limits.add(Limit.DML_STATEMENTS, 1);
                    Number n = (Number) call(real, m, args);
                    if (n.longValue() > 0) limits.addRows(Limit.DML_ROWS, n.longValue());
                    return n;
                }
                case "execute" -> {
                    limits.add(isQuery(text) ? Limit.QUERIES : Limit.DML_STATEMENTS, 1);
                    boolean hasRows = (Boolean) call(real, m, args);
                    if (!hasRows) {
                        long n = real.getUpdateCount();
                        if (n > 0) limits.addRows(Limit.DML_ROWS, n);
                    }
                    return hasRows;
                }
                case "executeBatch", "executeLargeBatch" -> {
                    // One batch is one DML statement over many rows, as a DML on a list is in Salesforce.
                    limits.add(Limit.DML_STATEMENTS, 1);
                    Object counts = call(real, m, args);
                    long rows = 0;
                    if (counts instanceof int[] c) for (int v : c) rows += Math.max(0, v);
                    if (counts instanceof long[] c) for (long v : c) rows += Math.max(0, v);
                    if (rows > 0) limits.addRows(Limit.DML_ROWS, rows);
                    return counts;
                }
                case "getResultSet" -> {
                    return rows((ResultSet) call(real, m, args), proxy);
                }
                case "getConnection" -> {
                    return connection;
                }
                case "equals" -> {
                    return proxy == args[0];
                }
                case "hashCode" -> {
                    return System.identityHashCode(proxy);
                }
                default -> {
                    return call(real, m, args);
                }
            }
        }

        private Object rows(ResultSet rs, Object statement) {
            if (rs == null) return null;
            return Proxy.newProxyInstance(MeteredJdbc.class.getClassLoader(), new Class<?>[] {ResultSet.class},
                    new RowsHandler(rs, (Statement) statement, limits));
        }
    }

    private static final class RowsHandler implements InvocationHandler {
        private final ResultSet real;
        private final Statement statement;
        private final ExecutionLimits limits;

        RowsHandler(ResultSet real, Statement statement, ExecutionLimits limits) {
            this.real = real;
            this.statement = statement;
            this.limits = limits;
        }

        @Override
        public Object invoke(Object proxy, Method m, Object[] args) throws Throwable {
            switch (m.getName()) {
                case "next" -> {
                    boolean row = real.next();
                    if (row) limits.addRows(Limit.QUERY_ROWS, 1);
                    return row;
                }
                case "getStatement" -> {
                    return statement;
                }
                case "equals" -> {
                    return proxy == args[0];
                }
                case "hashCode" -> {
                    return System.identityHashCode(proxy);
                }
                default -> {
                    return call(real, m, args);
                }
            }
        }
    }
}
