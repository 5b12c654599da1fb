package dev.millrace.examples.demo;

import dev.millrace.Queueable;
import dev.millrace.QueueableContext;

/**
 * Exports a period's ledger to the accounting system, whose old SFTP target was decommissioned: the job
 * always fails, ending {@code FAILED} with the error in its extended status (QUE-10). It has no finalizer,
 * so nothing retries it.
 *
 * @param period the accounting period, such as {@code 2025-10}
 */
public record ExportLedger(String period) implements Queueable {

    /** Where the export used to go. */
    static final String TARGET = "sftp://ledger.legacy.example/inbox";

    @Override
    public void execute(QueueableContext context) throws Exception {
        context.log().info("exporting the ledger of {0} to {1}", period, TARGET);
        SimulatedWork.call(2);
        throw new IllegalStateException("ledger export target " + TARGET + " was decommissioned: expected a"
                + " configured export target for period " + period);
    }
}
