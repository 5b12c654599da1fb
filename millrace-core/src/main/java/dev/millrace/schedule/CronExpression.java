package dev.millrace.schedule;

import dev.millrace.internal.cron.CronParser;
import dev.millrace.internal.cron.CronSchedule;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A schedule's cron expression in Salesforce's syntax (SPEC SCH-3 to SCH-7):
 * {@code Seconds Minutes Hours Day_of_month Month Day_of_week [Year]}, for example {@code 0 0 22 ? * 6L}
 * (22:00 on the last Friday of each month).
 *
 * <table>
 *   <caption>Fields</caption>
 *   <tr><th>field</th><th>values</th><th>special characters</th></tr>
 *   <tr><td>Seconds</td><td>0–59</td><td>{@code , - * /} (Millrace; Salesforce: none)</td></tr>
 *   <tr><td>Minutes</td><td>0–59</td><td>{@code , - * /} (Millrace; Salesforce: none)</td></tr>
 *   <tr><td>Hours</td><td>0–23</td><td>{@code , - * /}</td></tr>
 *   <tr><td>Day_of_month</td><td>1–31</td><td>{@code , - * ? / L W}</td></tr>
 *   <tr><td>Month</td><td>1–12 or JAN–DEC</td><td>{@code , - * /}</td></tr>
 *   <tr><td>Day_of_week</td><td>1–7 or SUN–SAT (1 = Sunday)</td><td>{@code , - * ? / L #}</td></tr>
 *   <tr><td>Year (optional)</td><td>1970–2099</td><td>{@code , - * /}</td></tr>
 * </table>
 *
 * <p>Exactly one of Day_of_month and Day_of_week is {@code ?}. {@code L} is the last day of the month
 * ({@code L-3}: three days before it; {@code LW}: its last weekday); {@code 15W} is the Monday–Friday nearest the
 * 15th within the month; {@code 6L} is the last Friday; {@code 6#3} the third Friday. Names are case-insensitive.
 * Ranges do not wrap around ({@code FRI-MON} is rejected), and {@code ?} and the {@code L}, {@code W} and {@code #}
 * forms must be their field's only value.
 *
 * <p>Fire times are local times in a time zone. A local time skipped by a daylight-saving gap fires once, at the
 * first instant after the gap; a local time repeated by an overlap fires once, at its first occurrence.
 * Instances are immutable and thread-safe; equal when their expression text is equal.
 */
public final class CronExpression {
    private final String expression;
    private final CronSchedule schedule;

    private CronExpression(String expression, CronSchedule schedule) {
        this.expression = expression;
        this.schedule = schedule;
    }

    /**
     * Parses an expression.
     *
     * @param expression the cron text, 6 or 7 fields separated by spaces
     * @return the parsed expression
     * @throws IllegalArgumentException naming the field, the offending value and what was expected, for example
     *         {@code day-of-week: '#6' out of range 1–5 in "0 0 12 ? * MON#6"}
     */
    public static CronExpression parse(String expression) {
        return new CronExpression(expression, CronParser.parse(expression));
    }

    /**
     * The expression's text.
     *
     * @return the text exactly as given to {@link #parse(String)}
     */
    public String expression() {
        return expression;
    }

    /**
     * Whether Salesforce would accept this expression too: its seconds and minutes are each a single integer, so it
     * fires at most hourly (SPEC SCH-6). A tenant policy may require it.
     *
     * @return true when seconds and minutes are each one integer, such as {@code 0 30 * * * ?}
     */
    public boolean isSalesforceCompatible() {
        return schedule.isSalesforceCompatible();
    }

    /**
     * The shortest time this expression may leave between two consecutive fire times, from its seconds, minutes and
     * hours (daylight-saving changes aside): {@code 0 0/15 * * * ?} gives 15 minutes, {@code 0 0 12 * * ?} a day. A
     * tenant's policy rejects schedules firing more often than its {@code minScheduleIntervalSeconds} (SPEC SCH-6).
     *
     * @return the shortest interval, at most one day
     */
    public java.time.Duration shortestInterval() {
        return java.time.Duration.ofSeconds(schedule.shortestIntervalSeconds());
    }

    /**
     * The first fire time strictly after an instant.
     *
     * @param zone the schedule's time zone, in which the fields are read
     * @param after the instant to search from, exclusive
     * @return the fire time in {@code zone}, or empty when there is none (for example a past year, or 30 February)
     */
    public Optional<ZonedDateTime> nextFireTime(ZoneId zone, Instant after) {
        Objects.requireNonNull(zone, "zone must not be null");
        Objects.requireNonNull(after, "after must not be null");
        return schedule.nextFireTime(zone, after);
    }

    /**
     * The next {@code n} fire times strictly after an instant, in order; fewer when the expression runs out.
     *
     * @param zone the schedule's time zone, in which the fields are read
     * @param after the instant to search from, exclusive
     * @param n how many fire times, 0 or more
     * @return up to {@code n} fire times in {@code zone}, each strictly after the one before
     * @throws IllegalArgumentException when {@code n} is negative
     */
    public List<ZonedDateTime> nextFireTimes(ZoneId zone, Instant after, int n) {
        if (n < 0) throw new IllegalArgumentException("n '" + n + "' out of range: expected 0 or more");
        List<ZonedDateTime> times = new ArrayList<>(Math.min(n, 1024));
        Instant from = after;
        while (times.size() < n) {
            Optional<ZonedDateTime> next = nextFireTime(zone, from);
            if (next.isEmpty()) break;
            times.add(next.get());
            from = next.get().toInstant();
        }
        return List.copyOf(times);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CronExpression other && expression.equals(other.expression);
    }

    @Override
    public int hashCode() {
        return expression.hashCode();
    }

    /** The expression text. */
    @Override
    public String toString() {
        return expression;
    }
}
