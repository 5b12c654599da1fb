package dev.millrace.test;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that stands still until the test moves it: pass it to {@link dev.millrace.Millrace.Builder#clock}
 * and every timestamp and delay of the node reads it. {@link AsyncTest} gives each test one, starting at
 * {@link #DEFAULT_START}, and moves it forward at {@code stopTest()} when a delayed job is due to run.
 *
 * <pre>{@code
 * TestClock clock = test.clock();
 * test.enqueue(new SendInvoice(42), AsyncOptions.delayMinutes(5));
 * clock.advance(Duration.ofMinutes(5));      // the delay has passed
 * }</pre>
 *
 * <p>Time only moves forward: job ids and the order jobs run in follow it, so a clock set back would let a
 * later job overtake an earlier one. Instants are kept to the microsecond, as the database keeps them.
 * Safe to read and move from any thread.
 */
public final class TestClock implements InstantSource {
    /** Where a clock starts unless told otherwise: a fixed instant, so job times are the same on every run. */
    public static final Instant DEFAULT_START = Instant.parse("2025-01-01T09:00:00Z");

    private final AtomicReference<Instant> now;

    /** A clock standing at {@link #DEFAULT_START}. */
    public TestClock() {
        this(DEFAULT_START);
    }

    /** A clock standing at {@code start}, truncated to microseconds. */
    public TestClock(Instant start) {
        this.now = new AtomicReference<>(Objects.requireNonNull(start, "start").truncatedTo(ChronoUnit.MICROS));
    }

    /** The current time of this clock. */
    @Override
    public Instant instant() {
        return now.get();
    }

    /**
     * Moves the clock forward.
     *
     * @param duration how far, zero or more (truncated to microseconds)
     * @return the new time
     * @throws IllegalArgumentException when the duration is negative
     */
    public Instant advance(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative()) {
            throw new IllegalArgumentException("duration " + duration
                    + " is negative: expected zero or more, the test clock only moves forward");
        }
        return now.updateAndGet(t -> t.plus(duration).truncatedTo(ChronoUnit.MICROS));
    }

    /**
     * Sets the clock to an instant at or after its current time.
     *
     * @return the new time (truncated to microseconds)
     * @throws IllegalArgumentException when the instant is before the clock's current time
     */
    public Instant set(Instant instant) {
        Instant target = Objects.requireNonNull(instant, "instant").truncatedTo(ChronoUnit.MICROS);
        return now.updateAndGet(t -> {
            if (target.isBefore(t)) {
                throw new IllegalArgumentException("instant " + instant + " is before the test clock's time " + t
                        + ": expected " + t + " or later, the test clock only moves forward");
            }
            return target;
        });
    }

    @Override
    public String toString() {
        return "TestClock[" + now.get() + "]";
    }
}
