package dev.millrace.examples.demo;

import dev.millrace.Queueable;
import dev.millrace.QueueableContext;

/**
 * Pulls one batch of settlements from a payment gateway that times out now and then. It attaches a
 * {@link PaymentSyncRetry} finalizer, which re-enqueues the sync after a failure, up to {@code maxRetries}
 * times. Whether an attempt fails is decided by the plan: attempts before {@code failuresBeforeSuccess}
 * time out, later ones succeed, so the demo ends the same way every time.
 *
 * @param gateway the gateway to pull from
 * @param batch the settlement batch
 * @param failuresBeforeSuccess how many attempts time out before one succeeds
 * @param attempt this attempt, from 0
 * @param maxRetries how many times the finalizer retries before it gives up
 */
public record SyncPayments(String gateway, int batch, int failuresBeforeSuccess, int attempt, int maxRetries)
        implements Queueable {

    /** Milliseconds a call to the gateway takes. */
    static final long CALL_MILLIS = 3;

    /** The first attempt at a batch. */
    public static SyncPayments firstAttempt(String gateway, int batch, int failuresBeforeSuccess, int maxRetries) {
        return new SyncPayments(gateway, batch, failuresBeforeSuccess, 0, maxRetries);
    }

    @Override
    public void execute(QueueableContext context) throws Exception {
        PaymentSyncRetry retry = new PaymentSyncRetry(gateway, batch, failuresBeforeSuccess, maxRetries);
        context.attachFinalizer(retry);
        // Set after attaching on purpose: the finalizer is captured when this execution ends (FIN-5), so it
        // sees the counter as this attempt left it.
        retry.attempt = attempt;
        SimulatedWork.call(CALL_MILLIS);
        if (attempt < failuresBeforeSuccess) {
            throw new GatewayTimeoutException("payment gateway '" + gateway + "' did not answer within 30 s");
        }
        context.log().info("synced settlement batch {0} from {1} on attempt {2}", batch, gateway, attempt + 1);
    }

    /**
     * How many jobs a batch makes: each attempt is a queueable plus its finalizer, and there is one attempt
     * per failure (up to the retries) plus the one that succeeds or is the last allowed.
     */
    static int jobsPerBatch(int failuresBeforeSuccess, int maxRetries) {
        int attempts = Math.min(failuresBeforeSuccess, maxRetries) + 1;
        return 2 * attempts;
    }

    /** The gateway did not answer in time; the finalizer decides whether to retry. */
    public static final class GatewayTimeoutException extends Exception {
        private static final long serialVersionUID = 1L;

        /** An error with its message. */
        public GatewayTimeoutException(String message) {
            super(message);
        }
    }
}
