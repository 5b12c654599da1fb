/**
 * The jobs of {@code millrace demo}: a small billing platform's asynchronous work for three tenants.
 *
 * <ul>
 *   <li>{@link dev.millrace.examples.demo.GenerateInvoices} renders invoices page by page, chaining one
 *       queueable per page and sending a notification future for each page (QUE-4, FUT-1).</li>
 *   <li>{@link dev.millrace.examples.demo.SyncPayments} pulls settlements from a flaky payment gateway; its
 *       finalizer {@link dev.millrace.examples.demo.PaymentSyncRetry} carries a retry counter and re-enqueues
 *       the sync after a failure (FIN-1 to FIN-6).</li>
 *   <li>{@link dev.millrace.examples.demo.CustomerNotifications} holds the futures (FUT-1, FUT-5).</li>
 *   <li>{@link dev.millrace.examples.demo.ExportLedger} always fails: its target was decommissioned (QUE-10).</li>
 *   <li>{@link dev.millrace.examples.demo.RecalculateTaxRates} is enqueued with a duplicate signature, and a
 *       second request is refused (QUE-7).</li>
 * </ul>
 *
 * <p>Beside the mix, {@link dev.millrace.examples.demo.DemoFeatures} gives each tenant the other features:
 * {@link dev.millrace.examples.demo.NightlyReconciliation} schedules that start the
 * {@link dev.millrace.examples.demo.ReconcileLedger} batch (stateful, two chunks fail), the {@code PaymentEvent}
 * channel that {@link dev.millrace.examples.demo.CapturePayments} publishes to and
 * {@link dev.millrace.examples.demo.RecordPayments} handles, and the flag bound to
 * {@link dev.millrace.examples.demo.SendDunningReminders}.
 *
 * <p>{@link dev.millrace.examples.demo.DemoWorkload} plans the mix for a given size and enqueues it. Every
 * failure is decided by the plan, never by chance, so two runs of the same size end with the same counts.
 */
package dev.millrace.examples.demo;
