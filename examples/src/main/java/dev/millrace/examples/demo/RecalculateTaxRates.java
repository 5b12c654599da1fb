package dev.millrace.examples.demo;

import dev.millrace.AsyncOptions;
import dev.millrace.DuplicateSignature;
import dev.millrace.Queueable;
import dev.millrace.QueueableContext;

import java.time.Duration;

/**
 * Recalculates the tax rates of a region. Recalculating twice at once would waste the tax service's quota,
 * so the job is enqueued with a duplicate signature: while one is queued or running, another request for
 * the same region is refused (QUE-7).
 *
 * @param region the tax region, such as {@code EU}
 */
public record RecalculateTaxRates(String region) implements Queueable {

    /** Milliseconds the recalculation takes. */
    static final long RECALCULATE_MILLIS = 20;

    /**
     * The options every request uses: the signature, and a short delay that batches requests arriving
     * together (it also keeps the first request queued while the demo sends the second, so the refusal is
     * certain rather than a race).
     */
    public static AsyncOptions options(String region, Duration delay) {
        return AsyncOptions.builder()
                .duplicateSignature(DuplicateSignature.builder().add("recalculate-tax-rates").add(region).build())
                .delay(delay)
                .build();
    }

    @Override
    public void execute(QueueableContext context) throws Exception {
        SimulatedWork.call(RECALCULATE_MILLIS);
        context.log().info("recalculated the tax rates of region {0}", region);
    }
}
