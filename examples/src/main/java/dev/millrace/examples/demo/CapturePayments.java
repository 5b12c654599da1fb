package dev.millrace.examples.demo;

import dev.millrace.Queueable;
import dev.millrace.QueueableContext;
import dev.millrace.event.Event;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * Captures a tenant's card payments at the gateway and announces each on the {@value DemoFeatures#PAYMENT_CHANNEL}
 * channel. The events are published after commit: they exist only because this job succeeded.
 *
 * @param gateway the gateway captured at
 * @param payments how many payments to capture
 */
public record CapturePayments(String gateway, int payments) implements Queueable {
    @Override
    public void execute(QueueableContext context) throws InterruptedException {
        SimulatedWork.call(SyncPayments.CALL_MILLIS);
        List<Event> events = new ArrayList<>(payments);
        for (int i = 1; i <= payments; i++) {
            events.add(Event.on(DemoFeatures.PAYMENT_CHANNEL)
                    .with("paymentId", gateway + "-P" + i)
                    .with("customer", "C-" + (20_000 + i))
                    .with("amount", BigDecimal.valueOf(2_500 + 125L * i, 2)));
        }
        context.publish(events);
        context.log().info("captured {0} payments at {1}", payments, gateway);
    }
}
