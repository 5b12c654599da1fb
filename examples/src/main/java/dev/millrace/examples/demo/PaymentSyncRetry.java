package dev.millrace.examples.demo;

import dev.millrace.Finalizer;
import dev.millrace.FinalizerContext;
import dev.millrace.ParentJobResult;

/**
 * The finalizer of {@link SyncPayments}: after a failed attempt it enqueues the next one, carrying the
 * retry counter in its own state, and gives up after {@code maxRetries} retries. After a success it only
 * logs. It runs in a transaction of its own, so the retry exists even though the failed attempt rolled back.
 */
public final class PaymentSyncRetry implements Finalizer {
    private String gateway;
    private int batch;
    private int failuresBeforeSuccess;
    private int maxRetries;
    /** The attempt that just ended, set by the job after attaching this finalizer. */
    int attempt;

    /** For the codec, which rebuilds a finalizer from its fields. */
    private PaymentSyncRetry() {
    }

    PaymentSyncRetry(String gateway, int batch, int failuresBeforeSuccess, int maxRetries) {
        this.gateway = gateway;
        this.batch = batch;
        this.failuresBeforeSuccess = failuresBeforeSuccess;
        this.maxRetries = maxRetries;
    }

    @Override
    public void execute(FinalizerContext context) {
        if (context.result() == ParentJobResult.SUCCESS) {
            context.log().info("settlement batch {0} synced after {1} retries", batch, attempt);
            return;
        }
        String why = context.error().map(e -> e.summary()).orElse("unknown error");
        if (attempt >= maxRetries) {
            context.log().error("giving up on settlement batch {0} after {1} retries: {2}", batch, attempt, why);
            return;
        }
        context.log().warn("settlement batch {0} failed on attempt {1} ({2}); retrying", batch, attempt + 1, why);
        context.enqueue(new SyncPayments(gateway, batch, failuresBeforeSuccess, attempt + 1, maxRetries));
    }
}
