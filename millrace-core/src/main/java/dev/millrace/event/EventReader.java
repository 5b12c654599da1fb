package dev.millrace.event;

import java.time.Duration;
import java.util.List;

/**
 * An external reader of one channel: follows it from a starting point, returning events in replay-id order.
 * Not thread-safe; close it when done. Readers wake promptly on new events of this node and, on PostgreSQL, of
 * other nodes (LISTEN/NOTIFY); otherwise they poll.
 */
public interface EventReader extends AutoCloseable {

    /**
     * The next events after the reader's position, at most {@code max}; waits up to {@code timeout} for one
     * when none is there. Returns an empty list when the time ran out.
     *
     * @throws ReplayIdExpiredException when events after the position were already pruned
     * @throws DeliveryLimitException for a reader of {@link Events#externalReader}: events were there but the
     *                                tenant's 24-hour allocation of external deliveries is used up (the position
     *                                stays)
     */
    List<EventRecord> poll(int max, Duration timeout) throws InterruptedException;

    /** The replay id of the last event returned (or the starting point). */
    long position();

    @Override
    void close();
}
