package dev.millrace.examples;

import dev.millrace.schedule.Schedulable;
import dev.millrace.schedule.ScheduleContext;

import java.sql.PreparedStatement;
import java.sql.ResultSet;

/**
 * The tour's schedulable: at each fire time it finds the invoices not sent yet and enqueues a {@link SendInvoice}
 * for the oldest, the common pattern of keeping {@code execute} short and handing the work to a queueable. It
 * records each run in table {@code invoice_run}, with the fire time, in the same transaction as the enqueue.
 *
 * <p>Expects tables {@code invoice (id BIGINT PRIMARY KEY, sent BOOLEAN)} and
 * {@code invoice_run (fire_time TIMESTAMP WITH TIME ZONE, invoice BIGINT)} in the Millrace database.
 */
public class InvoiceRun implements Schedulable {

    @Override
    public void execute(ScheduleContext context) throws Exception {
        Long oldest = null;
        try (PreparedStatement ps = context.connection().prepareStatement(
                "SELECT MIN(id) FROM invoice WHERE sent = FALSE"); ResultSet rs = ps.executeQuery()) {
            if (rs.next()) oldest = (Long) rs.getObject(1);
        }
        if (oldest != null) context.enqueue(new SendInvoice(oldest));
        try (PreparedStatement ps = context.connection().prepareStatement(
                "INSERT INTO invoice_run (fire_time, invoice) VALUES (?, ?)")) {
            ps.setObject(1, context.fireTime().atOffset(java.time.ZoneOffset.UTC));
            ps.setObject(2, oldest);
            ps.executeUpdate();
        }
        context.log().info("invoice run of {0} (schedule {1})", context.fireTime(), context.scheduleId());
    }
}
