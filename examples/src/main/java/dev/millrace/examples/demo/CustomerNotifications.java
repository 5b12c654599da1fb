package dev.millrace.examples.demo;

import dev.millrace.ExecutionContext;
import dev.millrace.Future;

import java.math.BigDecimal;

/**
 * Futures that tell customers about their invoices and payments. Arguments are simple values, copied when
 * the future is enqueued (FUT-2); the methods reach their job's log through {@link ExecutionContext#current()}.
 */
public final class CustomerNotifications {
    /** Milliseconds a call to the e-mail provider takes. */
    static final long SEND_MILLIS = 2;

    private CustomerNotifications() {
    }

    /**
     * E-mails the invoices of one rendered page.
     *
     * @param billingRun the billing run
     * @param segment the customer segment
     * @param page the page of invoices
     * @param invoices how many invoices the page holds
     */
    @Future(callout = true)
    public static void emailInvoices(String billingRun, String segment, int page, int invoices)
            throws InterruptedException {
        SimulatedWork.call(SEND_MILLIS);
        ExecutionContext.current().ifPresent(c -> c.log().info("e-mailed {0} invoices of segment {1}, page {2} ({3})",
                invoices, segment, page, billingRun));
    }

    /**
     * Tells a tenant's finance team that a billing run has started; the demo calls it directly, as an
     * application would from a request.
     *
     * @param billingRun the billing run
     */
    @Future(callout = true)
    public static void announceBillingRun(String billingRun) throws InterruptedException {
        SimulatedWork.call(SEND_MILLIS);
        ExecutionContext.current().ifPresent(c -> c.log().info("told the finance team billing run {0} started",
                billingRun));
    }

    /**
     * Sends a receipt for a payment a customer made.
     *
     * @param customer the customer's account number
     * @param amount the amount paid
     */
    @Future(callout = true)
    public static void sendPaymentReceipt(String customer, BigDecimal amount) throws InterruptedException {
        SimulatedWork.call(SEND_MILLIS);
        ExecutionContext.current().ifPresent(c -> c.log().info("sent a receipt of {0} to customer {1}", amount,
                customer));
    }
}
