package dev.millrace.test;

import dev.millrace.Millrace;
import dev.millrace.TenantId;
import dev.millrace.event.Event;
import dev.millrace.event.EventRecord;
import dev.millrace.event.EventReader;
import dev.millrace.event.PublishResult;
import dev.millrace.event.ReplayFrom;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The test tenant's event bus: deliver pending events to subscriptions on the test's thread, any number of
 * times, and read what was published (SPEC TEST-6). A handler's {@code RetryableException} re-delivers the batch
 * at once, up to the retry limit, after which the subscription is suspended as in production.
 */
public final class TestEventBus {
    private final Millrace millrace;
    private final TenantId tenant;

    TestEventBus(Millrace millrace, TenantId tenant) {
        this.millrace = millrace;
        this.tenant = tenant;
    }

    /**
     * Delivers every pending event to the tenant's subscriptions now, through the real delivery path (leases,
     * checkpoints, transactions), until they are caught up or suspended.
     *
     * @return how many batches were delivered
     */
    public int deliver() {
        return millrace.events().deliverNow(tenant);
    }

    /** Publishes events of the test tenant, as {@code millrace.events().publish} does. */
    public List<PublishResult> publish(Event... events) {
        return millrace.events().publish(tenant, List.of(events));
    }

    /** Every retained event of a channel, oldest first. */
    public List<EventRecord> published(String channel) {
        try (EventReader r = millrace.events().reader(tenant, channel, ReplayFrom.earliest())) {
            List<EventRecord> all = new ArrayList<>();
            for (List<EventRecord> got; !(got = r.poll(10_000, Duration.ZERO)).isEmpty(); ) all.addAll(got);
            return all;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading channel " + channel, e);
        }
    }
}
