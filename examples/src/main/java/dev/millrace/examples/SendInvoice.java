package dev.millrace.examples;

import dev.millrace.Queueable;
import dev.millrace.QueueableContext;

import java.sql.PreparedStatement;

/**
 * The tour's first job: marks an invoice sent. Its one field is its state, stored as JSON at enqueue and
 * rebuilt before it runs. The update goes through the job's own connection, so it commits together with
 * the job's completion, or not at all.
 *
 * <p>Expects a table {@code invoice (id BIGINT PRIMARY KEY, sent BOOLEAN)} in the Millrace database.
 */
public class SendInvoice implements Queueable {
    private long invoiceId;

    SendInvoice() {
        // for Millrace, which rebuilds the job from its stored fields
    }

    /** A job that sends this invoice. */
    public SendInvoice(long invoiceId) {
        this.invoiceId = invoiceId;
    }

    /** The invoice this job sends. */
    public long invoiceId() {
        return invoiceId;
    }

    /** Marks the invoice sent; an unknown invoice fails the job, naming it. */
    @Override
    public void execute(QueueableContext context) throws Exception {
        try (PreparedStatement ps = context.connection().prepareStatement("UPDATE invoice SET sent = TRUE WHERE id = ?")) {
            ps.setLong(1, invoiceId);
            if (ps.executeUpdate() == 0) {
                throw new IllegalArgumentException("invoice " + invoiceId + " does not exist: expected a row in table"
                        + " invoice");
            }
        }
        context.log().info("invoice {0} sent", invoiceId);
    }
}
