package dev.millrace.examples.demo;

import dev.millrace.TenantId;
import dev.millrace.event.DeliveryContext;
import dev.millrace.event.EventHandler;
import dev.millrace.event.EventRecord;

import java.math.BigDecimal;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code cash-book} subscription's handler: books every payment event into the tenant's cash book. The
 * demo keeps the book in memory, per tenant, so its summary can show what the handler recorded.
 */
public class RecordPayments implements EventHandler {
    private static final Map<TenantId, Book> BOOKS = new ConcurrentHashMap<>();

    /**
     * What the handler has booked for a tenant in this process.
     *
     * @param payments how many payment events
     * @param total their amounts
     */
    public record Book(int payments, BigDecimal total) {
        static final Book EMPTY = new Book(0, BigDecimal.ZERO);

        Book plus(BigDecimal amount) {
            return new Book(payments + 1, total.add(amount));
        }
    }

    /** For the platform, which creates the handler. */
    public RecordPayments() {
    }

    @Override
    public void handle(java.util.List<EventRecord> events, DeliveryContext context) {
        for (EventRecord e : events) {
            BigDecimal amount = e.getNumber("amount");
            BOOKS.merge(context.tenant(), Book.EMPTY.plus(amount), (a, b) -> a.plus(amount));
        }
    }

    /** The tenant's book so far. */
    public static Book book(TenantId tenant) {
        return BOOKS.getOrDefault(tenant, Book.EMPTY);
    }
}
