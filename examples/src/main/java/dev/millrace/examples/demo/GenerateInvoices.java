package dev.millrace.examples.demo;

import dev.millrace.Queueable;
import dev.millrace.QueueableContext;

/**
 * Renders one page of a billing run's invoices, asks {@link CustomerNotifications#emailInvoices} to send
 * them, and chains the next page. A chain of {@code pages} pages makes {@code pages} queueables and as many
 * futures; the state of each page is just this record, serialised between pages.
 *
 * @param billingRun the billing run the invoices belong to, for the log
 * @param segment the customer segment whose invoices the chain renders
 * @param page the page this job renders, from 1
 * @param pages the pages in the chain
 * @param invoicesPerPage how many invoices one page renders
 */
public record GenerateInvoices(String billingRun, String segment, int page, int pages, int invoicesPerPage)
        implements Queueable {

    /** Milliseconds one page of rendering takes. */
    static final long RENDER_MILLIS = 4;

    /** The first page of a chain. */
    public static GenerateInvoices firstPage(String billingRun, String segment, int pages, int invoicesPerPage) {
        return new GenerateInvoices(billingRun, segment, 1, pages, invoicesPerPage);
    }

    @Override
    public void execute(QueueableContext context) throws Exception {
        SimulatedWork.call(RENDER_MILLIS);
        context.log().info("rendered {0} invoices of segment {1}, page {2} of {3} (billing run {4}, chain depth {5})",
                invoicesPerPage, segment, page, pages, billingRun, context.asyncInfo().currentStackDepth());
        // Both enqueues ride this job's transaction: if rendering failed, neither the e-mails nor the next page
        // would exist.
        context.enqueueFuture(CustomerNotifications.class, "emailInvoices", billingRun, segment, page, invoicesPerPage);
        if (page < pages) {
            context.enqueue(new GenerateInvoices(billingRun, segment, page + 1, pages, invoicesPerPage));
        }
    }

    /** How many jobs a chain of this many pages makes: a queueable and a future per page. */
    static int jobsPerChain(int pages) {
        return 2 * pages;
    }
}
