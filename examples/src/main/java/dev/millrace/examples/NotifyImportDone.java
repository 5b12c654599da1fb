package dev.millrace.examples;

import dev.millrace.Queueable;
import dev.millrace.QueueableContext;

/**
 * The second link of the chain {@link ImportCustomers} starts: tells operations the import is done by writing
 * a message to the outbox, in the job's transaction.
 *
 * <p>Expects a table {@code outbox (recipient VARCHAR, message VARCHAR)}.
 *
 * @param batchId the imported batch
 * @param customers how many customers it added
 */
public record NotifyImportDone(String batchId, int customers) implements Queueable {
    /** Who hears about finished imports. */
    public static final String RECIPIENT = "ops@example.com";

    /** Writes the message. */
    @Override
    public void execute(QueueableContext context) throws Exception {
        Outbox.send(context, RECIPIENT, "import " + batchId + " done: " + customers + " customers");
    }
}
