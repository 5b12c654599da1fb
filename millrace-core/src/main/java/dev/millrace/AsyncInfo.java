package dev.millrace;

import java.util.OptionalInt;

/**
 * Chain facts of the running queueable.
 *
 * @param currentStackDepth the depth of this job in its chain: 1 for the first job
 * @param maximumStackDepth the maximum depth in effect, if any
 * @param minimumDelayMinutes the delay this job was enqueued with, if any
 */
public record AsyncInfo(int currentStackDepth, OptionalInt maximumStackDepth, OptionalInt minimumDelayMinutes) {

    /** Whether a maximum stack depth is in effect for this chain. */
    public boolean hasMaxStackDepth() {
        return maximumStackDepth.isPresent();
    }
}
