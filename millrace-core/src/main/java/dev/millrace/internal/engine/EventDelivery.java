package dev.millrace.internal.engine;

import dev.millrace.internal.event.EventBus;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/**
 * Delivers event subscriptions on this node: each pass publishes queued system events, then leases due
 * subscription partitions one at a time and hands each a batch, until none is due. Woken by publishes on this
 * node and, on PostgreSQL, by other nodes' notifications; polls otherwise.
 */
final class EventDelivery extends LoopService {
    /** Most batches delivered in one pass before the loop looks at system events again. */
    static final int BATCHES_PER_PASS = 100;
    /** How often the set of tenants subscribed to job status events is re-read. */
    static final Duration REFRESH = Duration.ofSeconds(5);

    private final EventBus bus;
    private final InstantSource clock;
    private final Duration pollInterval;
    private Instant refreshedAt = Instant.MIN;

    EventDelivery(EventBus bus, InstantSource clock, Duration pollInterval) {
        super("millrace-events");
        this.bus = bus;
        this.clock = clock;
        this.pollInterval = pollInterval;
    }

    @Override
    Duration tick() {
        Instant now = clock.instant();
        if (now.isAfter(refreshedAt.plus(REFRESH)) || now.isBefore(refreshedAt)) {
            refreshedAt = now;
            bus.refreshSystemSubscribers();
        }
        bus.flushSystemEvents();
        int n = 0;
        while (n < BATCHES_PER_PASS && bus.deliverOne(false, null)) n++;
        return n > 0 ? Duration.ZERO : pollInterval;
    }
}
