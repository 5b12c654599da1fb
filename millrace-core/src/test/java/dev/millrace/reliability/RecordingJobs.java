package dev.millrace.reliability;

import dev.millrace.QueueableContext;
import dev.millrace.Queueable;

import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Jobs that record their run in the test's {@link RunsTable} through their own transaction, so a recorded run
 * is a run whose completion committed. They are records: their state is the schema they write to.
 */
final class RecordingJobs {
    private RecordingJobs() {
    }

    /** Records its run and ends. */
    record RecordRun(String schema) implements Queueable {
        @Override
        public void execute(QueueableContext context) throws SQLException {
            Signals.started(context);
            record(context, schema);
        }
    }

    /** Records its run, then on attempts up to {@code holdThrough} waits until the test opens {@code gate}. */
    record Hold(String schema, String gate, int holdThrough) implements Queueable {
        @Override
        public void execute(QueueableContext context) throws SQLException, InterruptedException {
            Signals.started(context);
            record(context, schema);
            if (context.attempt() <= holdThrough) Signals.awaitGate(gate);
        }
    }

    /**
     * Inserts (job id, attempt, node) in the job's transaction. The node is read from the running row this attempt
     * claimed, in the same transaction: the node whose claim the attempt holds (null if it no longer holds it).
     */
    static void record(QueueableContext context, String schema) throws SQLException {
        try (PreparedStatement ps = context.connection().prepareStatement("INSERT INTO " + RunsTable.name(schema)
                + " (job_id, attempt, node) VALUES (?, ?, (SELECT node FROM \"" + schema + "\".mr_job"
                + " WHERE id = ? AND attempt = ? AND state = 1))")) {
            ps.setString(1, context.jobId().value());
            ps.setInt(2, context.attempt());
            ps.setObject(3, context.jobId().uuid());
            ps.setInt(4, context.attempt());
            ps.executeUpdate();
        }
    }
}
