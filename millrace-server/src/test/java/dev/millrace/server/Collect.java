package dev.millrace.server;

import dev.millrace.event.DeliveryContext;
import dev.millrace.event.EventHandler;
import dev.millrace.event.EventRecord;
import dev.millrace.event.RetryableException;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/** A test event handler: keeps what it is given, and fails retryably (so it is suspended after the retries) while {@link #failing} is set. */
public class Collect implements EventHandler {
    /** Every event delivered, in order. */
    public static final Queue<EventRecord> SEEN = new ConcurrentLinkedQueue<>();
    /** Set to make deliveries fail. */
    public static volatile boolean failing;

    @Override
    public void handle(List<EventRecord> events, DeliveryContext context) {
        if (failing) throw new RetryableException("collect is failing on purpose");
        SEEN.addAll(events);
    }
}
