package dev.millrace;

import dev.millrace.internal.limits.ExecutionLimits;
import dev.millrace.limits.Limit;
import dev.millrace.limits.LimitException;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/** Jobs and code that exceed each governor limit, for {@link LimitsTest}. */
final class LimitJobs {
    static final AtomicReference<Millrace> MILLRACE = new AtomicReference<>();
    static final Map<String, Object> SEEN = new ConcurrentHashMap<>();
    /** A scratch table each test creates; a row tagged by the execution shows whether its work committed. */
    static volatile String TABLE = "lim_rows";

    private LimitJobs() {
    }

    /** Writes a row tagged {@code tag}, then goes over {@code limit}; with {@code swallow} it catches the exception. */
    static void exceed(Execution e, Limit limit, String tag, String url, boolean swallow) throws Exception {
        try (PreparedStatement ps = e.connection().prepareStatement("INSERT INTO " + TABLE + " (tag) VALUES (?)")) {
            ps.setString(1, tag);
            ps.executeUpdate();
        }
        try {
            goOver(e, limit, url);
        } catch (LimitException x) {
            SEEN.put(tag, x);
            if (!swallow) throw x;
        }
    }

    private static void goOver(Execution e, Limit limit, String url) throws Exception {
        long budget = e.limits().budget(limit);
        Connection c = e.connection();
        switch (limit) {
            case QUERIES -> {
                for (long i = e.limits().used(limit); i <= budget; i++) {
                    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
                        rs.next();
                    }
                }
            }
            case QUERY_ROWS -> {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                        "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r WHERE x < " + (budget + 1)
                                + ") SELECT x FROM r")) {
                    while (rs.next()) {
                        rs.getInt(1);
                    }
                }
            }
            case DML_STATEMENTS -> {
                for (long i = e.limits().used(limit); i <= budget; i++) {
                    try (Statement s = c.createStatement()) {
                        s.executeUpdate("UPDATE " + TABLE + " SET tag = tag WHERE 1 = 0");
                    }
                }
            }
            case DML_ROWS -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE + " (tag) VALUES (?)")) {
                    for (long i = e.limits().used(limit); i <= budget; i++) {
                        ps.setString(1, "bulk");
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            }
            case CPU_TIME -> {
                // Spins without a counted operation: only the watchdog can stop it (by interrupting).
                long x = 1;
                while (!Thread.currentThread().isInterrupted()) x = x * 6364136223846793005L + 1442695040888963407L;
                SEEN.put("spin", x);
                throw new InterruptedException("interrupted after spinning");
            }
            case WALL_CLOCK -> {
                // Waits without using CPU: only the watchdog's wall clock stops it (by interrupting).
                Thread.sleep(Long.MAX_VALUE);
            }
            case HEAP_SIZE -> {
                while (true) {
                    byte[] chunk = new byte[256 * 1024];
                    SEEN.put("chunk", chunk);
                    Thread.sleep(1);
                }
            }
            case CALLOUTS, CALLOUT_TIME -> {
                for (int i = 0; i < 1000; i++) {
                    e.httpClient().send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
                }
            }
            case QUEUEABLE_JOBS -> {
                for (long i = e.limits().used(limit); i <= budget; i++) {
                    MILLRACE.get().enqueue(e.tenant(), new TestJobs.Record("child " + i));
                }
            }
            case FUTURE_CALLS -> {
                for (long i = e.limits().used(limit); i <= budget; i++) {
                    MILLRACE.get().enqueueFuture(e.tenant(), Noop.class, "run", "call " + i);
                }
            }
            case PUBLISH_IMMEDIATE, EMAILS -> {
                for (long i = e.limits().used(limit); i <= budget; i++) ExecutionLimits.count(limit, 1);
            }
        }
    }

    /** Exceeds a limit as a job. */
    static class Exceed implements Queueable {
        String limit;
        String tag;
        String url;
        boolean swallow;

        Exceed() {
        }

        Exceed(Limit limit, String tag, String url, boolean swallow) {
            this.limit = limit.name();
            this.tag = tag;
            this.url = url;
            this.swallow = swallow;
        }

        @Override
        public void execute(QueueableContext context) {
            try {
                exceed(context, Limit.valueOf(limit), tag, url, swallow);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Issues a number of queries and records what its limits say. */
    static class Queries implements Queueable {
        int count;
        String tag;

        Queries() {
        }

        Queries(int count, String tag) {
            this.count = count;
            this.tag = tag;
        }

        @Override
        public void execute(QueueableContext context) {
            try {
                for (int i = 0; i < count; i++) {
                    try (Statement s = context.connection().createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
                        rs.next();
                    }
                }
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
            SEEN.put(tag, new long[] {context.limits().getQueries(), context.limits().getLimitQueries()});
            SEEN.put(tag + ".profile", context.limits().profile());
        }
    }

    /** Futures for the future-call limit. */
    static final class Noop {
        private Noop() {
        }

        @Future
        public static void run(String what) {
            SEEN.put("future " + what, true);
        }
    }
}
