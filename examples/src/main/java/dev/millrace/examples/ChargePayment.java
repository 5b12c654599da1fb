package dev.millrace.examples;

import dev.millrace.Queueable;
import dev.millrace.QueueableContext;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

/**
 * Charges an order's card, retried by its finalizer ({@link RetryPayment}) when the charge fails: the
 * Salesforce pattern for retrying a queueable. The attempt number travels in the finalizer's fields, which
 * are captured when this job ends, so values set after {@code attachFinalizer} reach it.
 *
 * <p>The card gateway here is a sandbox kept in the order row: it declines the first
 * {@code gateway_declines} charges. Expects a table {@code orders (id BIGINT PRIMARY KEY, gateway_declines INT,
 * paid_on_attempt INT)}.
 */
public class ChargePayment implements Queueable {
    private long orderId;
    private int attempt;

    ChargePayment() {
        // for Millrace
    }

    /** The first charge of an order. */
    public ChargePayment(long orderId) {
        this(orderId, 1);
    }

    /** A retry: the attempt-th charge of an order. */
    public ChargePayment(long orderId, int attempt) {
        this.orderId = orderId;
        this.attempt = attempt;
    }

    /** Attaches the retrying finalizer, then charges; a declined card throws and fails this attempt. */
    @Override
    public void execute(QueueableContext context) throws Exception {
        RetryPayment retry = new RetryPayment();
        context.attachFinalizer(retry);
        retry.orderId = orderId;        // set after attaching: still seen by the finalizer
        retry.attempt = attempt;
        chargeCard(context.connection());
        context.log().info("order {0} paid on attempt {1}", orderId, attempt);
    }

    private void chargeCard(Connection c) throws Exception {
        int declines;
        try (PreparedStatement ps = c.prepareStatement("SELECT gateway_declines FROM orders WHERE id = ?")) {
            ps.setLong(1, orderId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) throw new IllegalArgumentException("order " + orderId + " does not exist");
                declines = rs.getInt(1);
            }
        }
        if (attempt <= declines) {
            throw new IllegalStateException("card declined for order " + orderId + " on attempt " + attempt);
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE orders SET paid_on_attempt = ? WHERE id = ?")) {
            ps.setInt(1, attempt);
            ps.setLong(2, orderId);
            ps.executeUpdate();
        }
    }
}
