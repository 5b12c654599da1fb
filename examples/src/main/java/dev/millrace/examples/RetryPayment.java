package dev.millrace.examples;

import dev.millrace.Finalizer;
import dev.millrace.FinalizerContext;
import dev.millrace.JobError;
import dev.millrace.ParentJobResult;

/**
 * {@link ChargePayment}'s finalizer: after a failed charge it enqueues the next attempt. It runs in its own
 * transaction, so its log line stays even though the failed charge rolled back. Millrace cuts the chain after
 * 5 consecutive failures (the tenant policy's {@code finalizerMaxConsecutiveRetries}): the enqueue then throws,
 * and the failed job's log says why.
 */
public class RetryPayment implements Finalizer {
    long orderId;
    int attempt;

    /** An empty finalizer; {@link ChargePayment} fills in the order and the attempt after attaching it. */
    public RetryPayment() {
    }

    /** Enqueues the next attempt after a failure; does nothing after a success. */
    @Override
    public void execute(FinalizerContext context) {
        if (context.result() == ParentJobResult.UNHANDLED_EXCEPTION) {
            context.log().warn("charge {0} of order {1} failed ({2}); retrying", attempt, orderId,
                    context.error().map(JobError::message).orElse("?"));
            context.enqueue(new ChargePayment(orderId, attempt + 1));
        }
    }
}
