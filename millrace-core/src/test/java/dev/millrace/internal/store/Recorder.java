package dev.millrace.internal.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import javax.sql.DataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Pattern;

/**
 * A data source that records every statement sent through it with its parameters, so a test can explain each one
 * afterwards with the same parameters (PostgreSQL plans it as it planned the real one).
 */
final class Recorder {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One execution (or batch entry): the SQL and the parameter setters called for it, in order. */
    record Sent(String sql, List<Call> params) {
        /** The plan PostgreSQL makes for it, as JSON (its top plan node). */
        JsonNode explain(Connection c) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement("EXPLAIN (FORMAT JSON) " + sql)) {
                for (Call call : params) call.applyTo(ps);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return JSON.readTree(rs.getString(1)).get(0).get("Plan");
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    /** A parameter setter and its arguments. */
    record Call(Method method, Object[] args) {
        void applyTo(PreparedStatement ps) throws SQLException {
            try {
                method.invoke(ps, args);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            } catch (InvocationTargetException e) {
                if (e.getCause() instanceof SQLException sql) throw sql;
                throw new IllegalStateException(e.getCause());
            }
        }
    }

    private final DataSource target;
    private final ConcurrentLinkedQueue<Sent> sent = new ConcurrentLinkedQueue<>();

    Recorder(DataSource target) {
        this.target = target;
    }

    /** Forgets what was recorded so far. */
    void clear() {
        sent.clear();
    }

    /** Everything sent, in order. */
    List<Sent> all() {
        return List.copyOf(sent);
    }

    /** What was sent naming this table (exactly: not a table whose name it begins). */
    List<Sent> sentTo(String table) {
        Pattern named = Pattern.compile(Pattern.quote(table) + "(?![A-Za-z0-9_])");
        return sent.stream().filter(s -> named.matcher(s.sql()).find()).toList();
    }

    /** The recording data source. */
    DataSource dataSource() {
        return proxy(DataSource.class, target, (m, args, result) -> {
            if (result instanceof Connection c) return connection(c);
            return result;
        });
    }

    private Connection connection(Connection c) {
        return proxy(Connection.class, c, (m, args, result) -> {
            if (result instanceof PreparedStatement ps && m.getName().equals("prepareStatement")) {
                return statement(ps, (String) args[0]);
            }
            if (result instanceof Statement s && m.getName().equals("createStatement")) return plain(s);
            return result;
        });
    }

    private PreparedStatement statement(PreparedStatement ps, String sql) {
        List<Call> params = new ArrayList<>();
        return proxy(PreparedStatement.class, ps, (m, args, result) -> {
            String name = m.getName();
            if (name.startsWith("set") && args != null && args.length >= 2 && args[0] instanceof Integer) {
                params.add(new Call(m, args.clone()));
            } else if (name.equals("addBatch") && args == null) {
                sent.add(new Sent(sql, List.copyOf(params)));
            } else if ((name.equals("executeQuery") || name.equals("executeUpdate") || name.equals("execute"))
                    && args == null) {
                sent.add(new Sent(sql, List.copyOf(params)));
            }
            return result;
        });
    }

    private Statement plain(Statement s) {
        return proxy(Statement.class, s, (m, args, result) -> {
            if (m.getName().startsWith("execute") && args != null && args.length >= 1 && args[0] instanceof String sql) {
                sent.add(new Sent(sql, List.of()));
            }
            return result;
        });
    }

    /** What to hand back for a call forwarded to the target. */
    private interface After {
        Object apply(Method m, Object[] args, Object result) throws Exception;
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, T target, After after) {
        return (T) Proxy.newProxyInstance(Recorder.class.getClassLoader(), new Class<?>[] {type}, (p, m, args) -> {
            if (m.getName().equals("unwrap") && args != null && args[0] == type) return p;
            Object result;
            try {
                result = m.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            return after.apply(m, args, result);
        });
    }
}
