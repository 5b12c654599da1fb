package dev.millrace.internal.fair;

import dev.millrace.fair.GovernorSettings;
import dev.millrace.fair.GovernorState;
import dev.millrace.fair.ResourceSample;

import java.util.Locale;

/**
 * The resource governor's state machine (SPEC.md FAIR-5), fed one sample at a time: above a high threshold it
 * halves the executions the node may run at once (down to one), above the hard heap threshold it suspends claiming,
 * and once both readings are below the resume threshold it doubles them back to every worker. Between the resume
 * threshold and the high ones it holds where it is, so it does not flap. Readers on other threads see a consistent
 * snapshot.
 */
public final class Governor {
    private final GovernorSettings settings;
    private final int workers;
    private volatile Snapshot snapshot;
    private long cpuHighSinceNanos = -1;

    /**
     * What the governor allows now.
     *
     * @param state normal, throttled or suspended
     * @param reason why, empty when normal
     * @param allowed executions the node may run at once
     * @param last the last sample, or null
     */
    public record Snapshot(GovernorState state, String reason, int allowed, ResourceSample last) {
    }

    public Governor(GovernorSettings settings, int workers) {
        this.settings = settings;
        this.workers = workers;
        this.snapshot = new Snapshot(GovernorState.NORMAL, "", workers, null);
    }

    /** The current snapshot. */
    public Snapshot snapshot() {
        return snapshot;
    }

    /** Takes one sample, at {@code nanos} (a monotonic time), and returns the new snapshot. */
    public synchronized Snapshot observe(ResourceSample s, long nanos) {
        Snapshot was = snapshot;
        boolean cpuKnown = s.cpuPercent() >= 0;
        boolean cpuHigh = false;
        if (cpuKnown && s.cpuPercent() > settings.cpuHighPercent()) {
            if (cpuHighSinceNanos < 0) cpuHighSinceNanos = nanos;
            cpuHigh = nanos - cpuHighSinceNanos >= settings.cpuSustain().toNanos();
        } else {
            cpuHighSinceNanos = -1;
        }
        Snapshot next;
        if (s.heapPercent() > settings.suspendHeapPercent()) {
            next = new Snapshot(GovernorState.SUSPENDED, String.format(Locale.ROOT, "heap %.1f %% above %.1f %%",
                    s.heapPercent(), settings.suspendHeapPercent()), 0, s);
        } else if (s.heapPercent() > settings.heapHighPercent() || cpuHigh) {
            String why = s.heapPercent() > settings.heapHighPercent()
                    ? String.format(Locale.ROOT, "heap %.1f %% above %.1f %%", s.heapPercent(), settings.heapHighPercent())
                    : String.format(Locale.ROOT, "CPU %.1f %% above %.1f %% for %d s", s.cpuPercent(),
                    settings.cpuHighPercent(), settings.cpuSustain().toSeconds());
            int allowed = was.allowed() <= 0 ? 1 : Math.max(1, was.allowed() / 2);
            next = new Snapshot(GovernorState.THROTTLED, why, allowed, s);
        } else if (s.heapPercent() < settings.resumeBelowPercent()
                && (!cpuKnown || s.cpuPercent() < settings.resumeBelowPercent())) {
            int allowed = was.allowed() <= 0 ? 1 : Math.min(workers, was.allowed() * 2);
            next = allowed >= workers ? new Snapshot(GovernorState.NORMAL, "", workers, s)
                    : new Snapshot(GovernorState.THROTTLED, String.format(Locale.ROOT,
                    "restoring: heap %.1f %%, CPU %.1f %% below %.1f %%", s.heapPercent(), Math.max(0, s.cpuPercent()),
                    settings.resumeBelowPercent()), allowed, s);
        } else {
            // Between the thresholds: hold, so the node does not flap. A suspended node resumes throttled at one.
            next = was.state() == GovernorState.SUSPENDED
                    ? new Snapshot(GovernorState.THROTTLED, String.format(Locale.ROOT,
                    "heap %.1f %% below the hard threshold, not yet below %.1f %%", s.heapPercent(),
                    settings.resumeBelowPercent()), 1, s)
                    : new Snapshot(was.state(), was.reason(), was.allowed(), s);
        }
        snapshot = next;
        return next;
    }
}
