package dev.millrace;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Options of one enqueue: a minimum delay, a duplicate signature, a maximum chain depth.
 * Values are checked as far as they can be here; the tenant's policy bounds are checked at enqueue.
 */
public final class AsyncOptions {
    private static final AsyncOptions NONE = new Builder().build();

    private final Integer minimumDelayMinutes;
    private final Duration delay;
    private final DuplicateSignature duplicateSignature;
    private final Integer maximumStackDepth;

    private AsyncOptions(Builder b) {
        this.minimumDelayMinutes = b.minimumDelayMinutes;
        this.delay = b.delay;
        this.duplicateSignature = b.duplicateSignature;
        this.maximumStackDepth = b.maximumStackDepth;
    }

    /** No options: no delay beyond the tenant's default, no signature, the tenant's default depth. */
    public static AsyncOptions none() {
        return NONE;
    }

    /** A builder of options. */
    public static Builder builder() {
        return new Builder();
    }

    /** Options that only delay the start by at least this many minutes. */
    public static AsyncOptions delayMinutes(int minutes) {
        return builder().minimumDelayMinutes(minutes).build();
    }

    /** The delay asked for, if any: whole minutes or a duration. */
    public Optional<Duration> delay() {
        if (delay != null) return Optional.of(delay);
        return minimumDelayMinutes == null ? Optional.empty() : Optional.of(Duration.ofMinutes(minimumDelayMinutes));
    }

    /** The duplicate signature, if any. */
    public Optional<DuplicateSignature> duplicateSignature() {
        return Optional.ofNullable(duplicateSignature);
    }

    /** The maximum chain depth, if any. */
    public OptionalInt maximumStackDepth() {
        return maximumStackDepth == null ? OptionalInt.empty() : OptionalInt.of(maximumStackDepth);
    }

    /** Builds {@link AsyncOptions}; each setter rejects a bad value at once. */
    public static final class Builder {
        private Integer minimumDelayMinutes;
        private Duration delay;
        private DuplicateSignature duplicateSignature;
        private Integer maximumStackDepth;

        private Builder() {
        }

        /** Holds the job at least this many minutes (0 means as soon as possible). */
        public Builder minimumDelayMinutes(int minutes) {
            if (minutes < 0) {
                throw new IllegalArgumentException("minimumDelayMinutes " + minutes
                        + " is out of range: expected 0 to the tenant's maximum (10 by default)");
            }
            this.minimumDelayMinutes = minutes;
            this.delay = null;
            return this;
        }

        /** Holds the job at least this long; finer than minutes, same bounds. */
        public Builder delay(Duration delay) {
            if (delay == null || delay.isNegative()) {
                throw new IllegalArgumentException("delay " + delay
                        + " is out of range: expected a duration from 0 to the tenant's maximum (10 minutes by default)");
            }
            this.delay = delay;
            this.minimumDelayMinutes = null;
            return this;
        }

        /** Refuses this enqueue while another job of the tenant with the same signature is active. */
        public Builder duplicateSignature(DuplicateSignature signature) {
            this.duplicateSignature = java.util.Objects.requireNonNull(signature, "duplicate signature");
            return this;
        }

        /** The deepest chain allowed from here on; children inherit it. */
        public Builder maximumStackDepth(int depth) {
            if (depth < 1) {
                throw new IllegalArgumentException("maximumStackDepth " + depth + " is out of range: expected 1 or more");
            }
            this.maximumStackDepth = depth;
            return this;
        }

        /** The options. */
        public AsyncOptions build() {
            return new AsyncOptions(this);
        }
    }
}
