package dev.millrace.test;

import dev.millrace.Queueable;
import dev.millrace.QueueableContext;
import dev.millrace.event.ChannelDefinition;
import dev.millrace.event.DeliveryContext;
import dev.millrace.event.Event;
import dev.millrace.event.EventHandler;
import dev.millrace.event.EventRecord;
import dev.millrace.event.FieldType;
import dev.millrace.event.RetryableException;
import dev.millrace.event.Subscription;
import dev.millrace.event.SubscriptionState;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** TEST-6: events published in a test reach subscriptions at stopTest() or eventBus().deliver(), with retries. */
@MillraceTest(register = EventBusTest.PlaceOrder.class, handlers = {EventBusTest.Billing.class, EventBusTest.Flaky.class})
class EventBusTest {
    static final List<String> BILLED = new CopyOnWriteArrayList<>();
    static final List<Integer> FLAKY_RETRIES = new CopyOnWriteArrayList<>();

    /** Publishes an order. */
    public static final class PlaceOrder implements Queueable {
        String orderId;

        PlaceOrder() {
        }

        PlaceOrder(String orderId) {
            this.orderId = orderId;
        }

        @Override
        public void execute(QueueableContext context) {
            context.publish(List.of(Event.on("OrderPlaced").with("orderId", orderId)));
        }
    }

    /** Bills each order. */
    public static final class Billing implements EventHandler {
        @Override
        public void handle(List<EventRecord> events, DeliveryContext context) {
            for (EventRecord e : events) BILLED.add(e.getString("orderId"));
        }
    }

    /** Fails retryably three times, then succeeds. */
    public static final class Flaky implements EventHandler {
        @Override
        public void handle(List<EventRecord> events, DeliveryContext context) {
            FLAKY_RETRIES.add(context.retries());
            if (context.retries() < 3) throw new RetryableException("not yet");
        }
    }

    @BeforeEach
    void declare(AsyncTest test) {
        BILLED.clear();
        FLAKY_RETRIES.clear();
        test.millrace().events().declare(test.tenant(), ChannelDefinition.named("OrderPlaced")
                .field("orderId", FieldType.ID, true));
        test.millrace().events().subscribe(test.tenant(), Subscription.of("billing", "OrderPlaced", Billing.class));
    }

    @Test
    void eventsPublishedByAJobAreDeliveredAtStopTest(AsyncTest test) {
        test.startTest();
        test.enqueue(new PlaceOrder("o-1"));
        test.stopTest();
        assertThat(BILLED).containsExactly("o-1");
    }

    @Test
    void deliverHandsPendingEventsToSubscriptionsAnyNumberOfTimes(AsyncTest test) {
        test.eventBus().publish(Event.on("OrderPlaced").with("orderId", "o-1"));
        assertThat(BILLED).isEmpty();
        assertThat(test.eventBus().deliver()).isEqualTo(1);
        test.eventBus().publish(Event.on("OrderPlaced").with("orderId", "o-2"));
        test.eventBus().deliver();
        assertThat(BILLED).containsExactly("o-1", "o-2");
        assertThat(test.eventBus().published("OrderPlaced")).hasSize(2);
    }

    @Test
    void aRetryableFailureIsRedeliveredWithinTheTest(AsyncTest test) {
        test.millrace().events().subscribe(test.tenant(), Subscription.of("flaky", "OrderPlaced", Flaky.class));
        test.eventBus().publish(Event.on("OrderPlaced").with("orderId", "o-1"));
        test.eventBus().deliver();
        assertThat(FLAKY_RETRIES).containsExactly(0, 1, 2, 3);
        assertThat(test.millrace().events().status(test.tenant(), "flaky").get(0).state())
                .isEqualTo(SubscriptionState.ACTIVE);
    }
}
