package dev.millrace.monitoring;

/**
 * What this node's rescuer did with expired leases since the node was built: running totals, for metrics.
 *
 * @param requeued jobs made ready again after their node stopped renewing its lease
 * @param failed jobs failed because they ran out of attempts
 * @param aborted jobs ended ABORTED because an abort was pending
 */
public record LeaseRescues(long requeued, long failed, long aborted) {
}
