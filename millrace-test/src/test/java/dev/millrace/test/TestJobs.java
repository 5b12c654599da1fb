package dev.millrace.test;

import dev.millrace.ExecutionContext;
import dev.millrace.Finalizer;
import dev.millrace.FinalizerContext;
import dev.millrace.Future;
import dev.millrace.ParentJobResult;
import dev.millrace.Queueable;
import dev.millrace.QueueableContext;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Jobs for the module's own tests. Each records that it ran in the table {@code ran}, through its own
 * transaction, so the record commits with the job (and vanishes when the job fails): the order of the rows is
 * the order the jobs ran in.
 */
final class TestJobs {
    private TestJobs() {
    }

    /** Creates the {@code ran} table in the test's database. */
    static void createRanTable(AsyncTest test) {
        try (Connection c = test.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE ran (seq BIGINT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(200) NOT NULL)");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The names recorded so far, in the order they ran. */
    static List<String> ran(AsyncTest test) {
        try (Connection c = test.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT name FROM ran ORDER BY seq")) {
            List<String> out = new ArrayList<>();
            while (rs.next()) out.add(rs.getString(1));
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static void record(ExecutionContext context, String name) throws SQLException {
        try (PreparedStatement ps = context.connection().prepareStatement("INSERT INTO ran (name) VALUES (?)")) {
            ps.setString(1, name);
            ps.executeUpdate();
        }
    }

    /** Records its name. */
    record Record(String name) implements Queueable {
        @Override
        public void execute(QueueableContext context) throws Exception {
            record(context, name);
            context.log().info("recorded {0}", name);
        }
    }

    /** Records its name, then chains a copy named with one more {@code '} while {@code remaining > 0}. */
    record Chain(String name, int remaining) implements Queueable {
        @Override
        public void execute(QueueableContext context) throws Exception {
            record(context, name + "@" + context.asyncInfo().currentStackDepth());
            if (remaining > 0) context.enqueue(new Chain(name + "'", remaining - 1));
        }
    }

    /** Throws. */
    record Fail(String message) implements Queueable {
        @Override
        public void execute(QueueableContext context) {
            throw new IllegalStateException(message);
        }
    }

    /** Records its name, then calls the future {@link Calls#record(String)} with its name plus {@code "()"}. */
    record CallFuture(String name) implements Queueable {
        @Override
        public void execute(QueueableContext context) throws Exception {
            record(context, name);
            context.enqueueFuture(Calls.class, "record", name + "()");
        }
    }

    /**
     * Fails while {@code attempt <= failures}; its finalizer ({@link Retry}) records the outcome and, after a
     * failure, re-enqueues it with the next attempt. The attempt is set on the finalizer after attaching it:
     * fields are captured when the job ends (FIN-5).
     */
    static final class Flaky implements Queueable {
        int attempt;
        int failures;

        Flaky() {
        }

        Flaky(int attempt, int failures) {
            this.attempt = attempt;
            this.failures = failures;
        }

        @Override
        public void execute(QueueableContext context) throws Exception {
            Retry retry = new Retry();
            context.attachFinalizer(retry);
            retry.attempt = attempt;
            retry.failures = failures;
            record(context, "flaky " + attempt);
            if (attempt <= failures) throw new IllegalStateException("flaky failure " + attempt);
        }
    }

    /** {@link Flaky}'s finalizer. */
    static final class Retry implements Finalizer {
        int attempt;
        int failures;

        @Override
        public void execute(FinalizerContext context) throws Exception {
            record(context, "finalizer " + attempt + " " + context.result());
            if (context.result() == ParentJobResult.UNHANDLED_EXCEPTION) context.enqueue(new Flaky(attempt + 1, failures));
        }
    }

    /** Chains a {@link Record} child and attaches a finalizer that records it ran. */
    record ChainWithFinalizer(String name) implements Queueable {
        @Override
        public void execute(QueueableContext context) throws Exception {
            record(context, name);
            context.enqueue(new ChainWithFinalizer(name + "'"));
            context.attachFinalizer(new RecordFinalizer(name));
        }
    }

    /** Records that the finalizer of a job ran, with the job's result. */
    record RecordFinalizer(String name) implements Finalizer {
        @Override
        public void execute(FinalizerContext context) throws Exception {
            record(context, "finalizer of " + name + " " + context.result());
        }
    }

    /** Futures. */
    static final class Calls {
        private Calls() {
        }

        /** Records its argument. */
        @Future
        public static void record(String name) throws SQLException {
            TestJobs.record(ExecutionContext.current().orElseThrow(), name);
        }

        /** Records the size of its list argument and its first element. */
        @Future
        public static void recordList(List<String> names) throws SQLException {
            TestJobs.record(ExecutionContext.current().orElseThrow(), names.size() + " " + names.get(0));
        }
    }

    /** Records "tick" and its fire time; enqueues one {@link Record}. */
    static class Tick implements dev.millrace.schedule.Schedulable {
        @Override
        public void execute(dev.millrace.schedule.ScheduleContext context) throws Exception {
            record(context, "tick " + context.fireTime());
            context.enqueue(new Record("work of " + context.fireTime()));
        }
    }
}
