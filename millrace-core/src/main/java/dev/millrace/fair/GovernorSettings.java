package dev.millrace.fair;

import java.time.Duration;
import java.util.Objects;

/**
 * Thresholds of a node's resource governor (SPEC.md FAIR-5). Above {@code heapHighPercent} of heap, or above
 * {@code cpuHighPercent} of CPU for {@code cpuSustain}, the node halves the number of jobs it runs at once at each
 * sample, down to one; above {@code suspendHeapPercent} of heap it claims nothing. Once heap and CPU are below
 * {@code resumeBelowPercent}, it doubles the number at each sample until every worker runs again.
 *
 * @param heapHighPercent heap use that throttles, 1 to 100
 * @param cpuHighPercent sustained CPU load that throttles, 1 to 100
 * @param suspendHeapPercent heap use that suspends claiming, at least {@code heapHighPercent}
 * @param resumeBelowPercent heap and CPU use below which the node restores, below both high thresholds
 * @param cpuSustain how long CPU must stay high before it throttles
 * @param sampleInterval how often the governor samples, 10 ms to 10 s
 */
public record GovernorSettings(double heapHighPercent, double cpuHighPercent, double suspendHeapPercent,
                               double resumeBelowPercent, Duration cpuSustain, Duration sampleInterval) {

    /** Heap 85 %, CPU 90 % for 10 s, suspend at heap 95 %, resume below 70 %, sampled every 200 ms. */
    public static final GovernorSettings DEFAULTS = new GovernorSettings(85, 90, 95, 70, Duration.ofSeconds(10),
            Duration.ofMillis(200));

    /** Validates the thresholds, naming the one that is wrong and what was expected. */
    public GovernorSettings {
        percent("heapHighPercent", heapHighPercent);
        percent("cpuHighPercent", cpuHighPercent);
        percent("suspendHeapPercent", suspendHeapPercent);
        percent("resumeBelowPercent", resumeBelowPercent);
        if (suspendHeapPercent < heapHighPercent) {
            throw new IllegalArgumentException("governor suspendHeapPercent " + suspendHeapPercent
                    + " is out of range: expected at least heapHighPercent " + heapHighPercent);
        }
        if (resumeBelowPercent >= Math.min(heapHighPercent, cpuHighPercent)) {
            throw new IllegalArgumentException("governor resumeBelowPercent " + resumeBelowPercent
                    + " is out of range: expected below heapHighPercent and cpuHighPercent ("
                    + Math.min(heapHighPercent, cpuHighPercent) + ")");
        }
        Objects.requireNonNull(cpuSustain, "cpuSustain");
        Objects.requireNonNull(sampleInterval, "sampleInterval");
        if (cpuSustain.isNegative()) {
            throw new IllegalArgumentException("governor cpuSustain " + cpuSustain + " is out of range: expected 0 or more");
        }
        if (sampleInterval.compareTo(Duration.ofMillis(10)) < 0 || sampleInterval.compareTo(Duration.ofSeconds(10)) > 0) {
            throw new IllegalArgumentException("governor sampleInterval " + sampleInterval
                    + " is out of range: expected 10 ms to 10 s");
        }
    }

    private static void percent(String key, double v) {
        if (!(v >= 1 && v <= 100)) {
            throw new IllegalArgumentException("governor " + key + " " + v + " is out of range: expected 1 to 100");
        }
    }
}
