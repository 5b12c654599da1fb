package dev.millrace.examples.demo;

import dev.millrace.Queueable;
import dev.millrace.QueueableContext;

/**
 * Sends the new-style dunning reminders for a page of overdue invoices. It is bound to the feature flag
 * {@value DemoFeatures#DUNNING_FLAG}: a tenant whose flag is off keeps these jobs HOLDING until it is switched on.
 *
 * @param page the page of overdue invoices
 */
public record SendDunningReminders(int page) implements Queueable {
    @Override
    public void execute(QueueableContext context) throws InterruptedException {
        SimulatedWork.call(SyncPayments.CALL_MILLIS);
        context.log().info("sent dunning reminders for page {0} of overdue invoices", page);
    }
}
