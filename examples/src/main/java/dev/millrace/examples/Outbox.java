package dev.millrace.examples;

import dev.millrace.ExecutionContext;

import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Messages the example jobs send, written to the table {@code outbox (recipient VARCHAR, message VARCHAR)}
 * through the running job's connection: a message exists only if the job that sent it committed.
 */
public final class Outbox {
    /** The table the examples expect, in H2 and PostgreSQL syntax. */
    public static final String CREATE_TABLE = "CREATE TABLE outbox (recipient VARCHAR(200) NOT NULL,"
            + " message VARCHAR(1000) NOT NULL)";

    private Outbox() {
    }

    /** Writes one message in the execution's transaction. */
    public static void send(ExecutionContext context, String recipient, String message) throws SQLException {
        try (PreparedStatement ps = context.connection().prepareStatement(
                "INSERT INTO outbox (recipient, message) VALUES (?, ?)")) {
            ps.setString(1, recipient);
            ps.setString(2, message);
            ps.executeUpdate();
        }
        context.log().info("sent to {0}: {1}", recipient, message);
    }
}
