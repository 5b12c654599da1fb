package dev.millrace.schedule;

import java.util.Objects;

/**
 * How a schedule treats missed fire times and overlapping occurrences.
 *
 * <pre>{@code
 * millrace.schedule(acme, "nightly", "0 0 2 * * ?", new NightlyReport(), ZoneId.of("Europe/London"),
 *         ScheduleOptions.defaults().misfirePolicy(MisfirePolicy.SKIP).allowOverlap(true));
 * }</pre>
 *
 * @param misfirePolicy what to do about fire times missed while no node was up; default {@link MisfirePolicy#FIRE_ONCE}
 * @param allowOverlap whether an occurrence fires while the previous occurrence's job is still queued or running;
 *        default false: such an occurrence is skipped and counted as skipped, so work never piles up
 */
public record ScheduleOptions(MisfirePolicy misfirePolicy, boolean allowOverlap) {
    private static final ScheduleOptions DEFAULTS = new ScheduleOptions(MisfirePolicy.FIRE_ONCE, false);

    /** Validates the options. */
    public ScheduleOptions {
        Objects.requireNonNull(misfirePolicy, "misfirePolicy must not be null: expected FIRE_ONCE or SKIP");
    }

    /** Fire once after a misfire; skip an occurrence while the previous one's job is still active. */
    public static ScheduleOptions defaults() {
        return DEFAULTS;
    }

    /** A copy with another misfire policy. */
    public ScheduleOptions misfirePolicy(MisfirePolicy policy) {
        return new ScheduleOptions(policy, allowOverlap);
    }

    /** A copy that does (true) or does not (false) fire while the previous occurrence's job is active. */
    public ScheduleOptions allowOverlap(boolean allow) {
        return new ScheduleOptions(misfirePolicy, allow);
    }
}
