package dev.millrace.internal.store;

/**
 * What one rescue pass did with expired leases.
 *
 * @param requeued jobs made ready again
 * @param failed jobs failed because they ran out of attempts
 * @param aborted jobs ended ABORTED because an abort was pending
 */
public record RescueResult(int requeued, int failed, int aborted) {
    /** Jobs touched in all. */
    public int total() {
        return requeued + failed + aborted;
    }
}
