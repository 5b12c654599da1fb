package dev.millrace.examples;

import dev.millrace.Queueable;
import dev.millrace.QueueableContext;

import java.sql.Connection;
import java.sql.PreparedStatement;

/**
 * The first link of a chain: moves one batch of staged customers into the customer table, then chains
 * {@link NotifyImportDone}. The import, the emptied staging rows and the chained child commit together: if
 * the import fails, no customer is added and no notification is ever enqueued.
 *
 * <p>Expects tables {@code customer_staging (batch_id VARCHAR, email VARCHAR, name VARCHAR)} and
 * {@code customer (email VARCHAR PRIMARY KEY, name VARCHAR)}.
 *
 * @param batchId the staged batch to import
 */
public record ImportCustomers(String batchId) implements Queueable {

    /** Imports the batch and chains the notification. */
    @Override
    public void execute(QueueableContext context) throws Exception {
        Connection c = context.connection();
        int imported;
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO customer (email, name) SELECT email, name FROM customer_staging WHERE batch_id = ?")) {
            ps.setString(1, batchId);
            imported = ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM customer_staging WHERE batch_id = ?")) {
            ps.setString(1, batchId);
            ps.executeUpdate();
        }
        context.log().info("imported {0} customers from batch {1}", imported, batchId);
        context.enqueue(new NotifyImportDone(batchId, imported));    // one child per execution; a second raises LimitException
    }
}
