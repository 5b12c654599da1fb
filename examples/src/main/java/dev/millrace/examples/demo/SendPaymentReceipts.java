package dev.millrace.examples.demo;

import dev.millrace.Queueable;
import dev.millrace.QueueableContext;

import java.math.BigDecimal;
import java.util.List;

/**
 * Sends the receipts of a batch of payments: one {@link CustomerNotifications#sendPaymentReceipt} future per
 * payment. A queueable may call up to 50 futures in one execution (FUT-4), so batches hold at most
 * {@value #MAX_BATCH}; the futures ride this job's transaction and exist only if it commits.
 *
 * @param payments the payments to send receipts for
 */
public record SendPaymentReceipts(List<Payment> payments) implements Queueable {
    /** The most payments in one batch, under the 50 futures a queueable may call. */
    public static final int MAX_BATCH = 40;

    /**
     * A payment a customer made.
     *
     * @param customer the customer's account number
     * @param amount the amount paid
     */
    public record Payment(String customer, BigDecimal amount) {
    }

    /** Validates the batch size. */
    public SendPaymentReceipts {
        payments = List.copyOf(payments);
        if (payments.isEmpty() || payments.size() > MAX_BATCH) {
            throw new IllegalArgumentException("a receipt batch of " + payments.size() + " payments is out of range:"
                    + " expected 1 to " + MAX_BATCH);
        }
    }

    @Override
    public void execute(QueueableContext context) {
        for (Payment p : payments) {
            context.enqueueFuture(CustomerNotifications.class, "sendPaymentReceipt", p.customer(), p.amount());
        }
        context.log().info("queued {0} receipts", payments.size());
    }

    /** How many jobs a batch of this many payments makes: itself and a future per payment. */
    static int jobsPerBatch(int payments) {
        return 1 + payments;
    }
}
