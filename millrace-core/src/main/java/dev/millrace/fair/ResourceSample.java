package dev.millrace.fair;

/**
 * One reading of a node's load.
 *
 * @param heapPercent heap in use as a share of the maximum heap, 0 to 100
 * @param cpuPercent the process's CPU load as a share of all cores, 0 to 100 (negative when unknown)
 */
public record ResourceSample(double heapPercent, double cpuPercent) {
}
