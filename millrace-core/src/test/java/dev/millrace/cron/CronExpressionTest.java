package dev.millrace.cron;

import dev.millrace.schedule.CronExpression;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The public API of {@link CronExpression}, beyond the fire-time tables. */
class CronExpressionTest {
    private static final ZoneId UTC = ZoneId.of("UTC");
    private static final ZoneId LONDON = ZoneId.of("Europe/London");
    private static final Instant JAN_1_2026 = Instant.parse("2026-01-01T00:00:00Z");

    @ParameterizedTest
    @ValueSource(strings = {"0 0 13 * * ?", "30 15 10 ? * 6L", "00 05 * * * ?", "59 59 23 31 12 ? 2099"})
    void single_integer_seconds_and_minutes_are_salesforce_compatible(String expression) {
        assertThat(CronExpression.parse(expression).isSalesforceCompatible()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"0 0/15 * * * ?", "* 0 12 * * ?", "0,30 0 12 * * ?", "0 0-5 12 * * ?", "0 * * * * ?",
            "*/10 0 * * * ?"})
    void lists_ranges_steps_and_stars_in_seconds_or_minutes_are_millrace_only(String expression) {
        assertThat(CronExpression.parse(expression).isSalesforceCompatible()).isFalse();
    }

    @Test
    void theShortestIntervalIsTheSmallestGapBetweenTimesOfDayIncludingAcrossMidnight() {
        assertThat(CronExpression.parse("* * * * * ?").shortestInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(CronExpression.parse("0/30 * * * * ?").shortestInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(CronExpression.parse("0 0/15 * * * ?").shortestInterval()).isEqualTo(Duration.ofMinutes(15));
        assertThat(CronExpression.parse("0 0 * * * ?").shortestInterval()).isEqualTo(Duration.ofHours(1));
        assertThat(CronExpression.parse("0 0 9-17 ? * MON-FRI").shortestInterval()).isEqualTo(Duration.ofHours(1));
        // 23:00, then 00:00 the next day.
        assertThat(CronExpression.parse("0 0 0,23 * * ?").shortestInterval()).isEqualTo(Duration.ofHours(1));
        assertThat(CronExpression.parse("0,30 59 23 * * ?").shortestInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(CronExpression.parse("0 0 12 * * ?").shortestInterval()).isEqualTo(Duration.ofDays(1));
        assertThat(CronExpression.parse("0 0 22 ? * 6L").shortestInterval()).isEqualTo(Duration.ofDays(1));
    }

    @Test
    void an_expression_with_no_future_fire_time_is_detectable() {
        assertThat(CronExpression.parse("0 0 20 * * ? 2020").nextFireTime(UTC, JAN_1_2026)).isEmpty();
        assertThat(CronExpression.parse("0 0 0 30 2 ?").nextFireTime(UTC, JAN_1_2026)).isEmpty();
        assertThat(CronExpression.parse("0 0 0 1 1 ? 2026").nextFireTime(UTC, JAN_1_2026)).isEmpty();
        assertThat(CronExpression.parse("0 0 0 1 1 ? 2026").nextFireTimes(UTC, JAN_1_2026, 5)).isEmpty();
    }

    @Test
    void next_fire_time_is_the_first_of_next_fire_times() {
        CronExpression cron = CronExpression.parse("0 0 22 ? * 6L");
        ZonedDateTime first = cron.nextFireTime(LONDON, JAN_1_2026).orElseThrow();
        assertThat(cron.nextFireTimes(LONDON, JAN_1_2026, 3)).first().isEqualTo(first);
        assertThat(first).isEqualTo(ZonedDateTime.of(2026, 1, 30, 22, 0, 0, 0, LONDON));
    }

    @Test
    void asking_for_no_fire_times_gives_none_and_a_negative_count_is_rejected() {
        CronExpression cron = CronExpression.parse("* * * * * ?");
        assertThat(cron.nextFireTimes(UTC, JAN_1_2026, 0)).isEmpty();
        assertThatThrownBy(() -> cron.nextFireTimes(UTC, JAN_1_2026, -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("n '-1' out of range: expected 0 or more");
    }

    @Test
    void blank_and_null_expressions_are_rejected() {
        assertThatThrownBy(() -> CronExpression.parse(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cron expression \"\" has 0 fields; expected 6 or 7:"
                        + " Seconds Minutes Hours Day_of_month Month Day_of_week [Year]");
        assertThatThrownBy(() -> CronExpression.parse("   "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cron expression \"   \" has 0 fields");
        assertThatThrownBy(() -> CronExpression.parse(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void null_zone_or_instant_is_rejected() {
        CronExpression cron = CronExpression.parse("0 0 12 * * ?");
        assertThatThrownBy(() -> cron.nextFireTime(null, JAN_1_2026)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> cron.nextFireTime(UTC, null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void surrounding_and_repeated_spaces_and_tabs_separate_fields() {
        CronExpression cron = CronExpression.parse(" 0\t0  12 * *   ? ");
        assertThat(cron.nextFireTime(UTC, JAN_1_2026)).contains(ZonedDateTime.of(2026, 1, 1, 12, 0, 0, 0, UTC));
        assertThat(cron.expression()).isEqualTo(" 0\t0  12 * *   ? ");
    }

    @Test
    void expressions_are_values_of_their_text() {
        CronExpression a = CronExpression.parse("0 0 12 ? * MON-FRI");
        assertThat(a).isEqualTo(CronExpression.parse("0 0 12 ? * MON-FRI")).hasSameHashCodeAs(
                CronExpression.parse("0 0 12 ? * MON-FRI"));
        assertThat(a).isNotEqualTo(CronExpression.parse("0 0 12 ? * 2-6"));
        assertThat(a.expression()).isEqualTo("0 0 12 ? * MON-FRI");
        assertThat(a).hasToString("0 0 12 ? * MON-FRI");
    }

    @Test
    void every_second_across_spring_forward_fires_once_per_existing_second() {
        // 29 Mar 2026 in London has 23 hours: 01:00-01:59 local collapse onto 02:00 BST, which fires once.
        List<ZonedDateTime> times = CronExpression.parse("* * * * * ?")
                .nextFireTimes(LONDON, Instant.parse("2026-03-28T23:59:59Z"), 82_800);
        assertThat(times).first().isEqualTo(ZonedDateTime.parse("2026-03-29T00:00:00Z[Europe/London]"));
        assertThat(times).last().isEqualTo(ZonedDateTime.parse("2026-03-29T23:59:59+01:00[Europe/London]"));
        assertStrictlyIncreasing(times);
    }

    @Test
    void every_second_across_fall_back_fires_each_local_second_once() {
        // 25 Oct 2026 in London has 25 hours, but only 24 hours of distinct local times: the repeated hour fires once.
        List<ZonedDateTime> times = CronExpression.parse("* * * * * ?")
                .nextFireTimes(LONDON, Instant.parse("2026-10-24T22:59:59Z"), 86_400);
        assertThat(times).first().isEqualTo(ZonedDateTime.parse("2026-10-25T00:00:00+01:00[Europe/London]"));
        assertThat(times).last().isEqualTo(ZonedDateTime.parse("2026-10-25T23:59:59Z[Europe/London]"));
        assertStrictlyIncreasing(times);
    }

    @Test
    void far_away_and_impossible_fire_times_are_found_without_walking_the_seconds() {
        long start = System.nanoTime();
        assertThat(CronExpression.parse("59 59 23 31 12 ? 2099").nextFireTime(UTC, Instant.EPOCH))
                .contains(ZonedDateTime.of(2099, 12, 31, 23, 59, 59, 0, UTC));
        assertThat(CronExpression.parse("0 0 12 ? 2 3#5").nextFireTimes(UTC, JAN_1_2026, 3))
                .extracting(ZonedDateTime::getYear).containsExactly(2028, 2056, 2084);
        assertThat(CronExpression.parse("* * * 31 2 ?").nextFireTime(UTC, JAN_1_2026)).isEmpty();
        assertThat(CronExpression.parse("* * * 30 2 ? 1970-2099").nextFireTime(UTC, Instant.EPOCH)).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void a_thousand_schedules_firing_every_second_compute_an_hour_of_fire_times_quickly() {
        List<CronExpression> schedules = new ArrayList<>();
        String[] days = {"* * ?", "? * *", "? * MON-FRI", "L * ?", "? * 6L", "15W * ?", "? * 2#1", "1-31 * ? 2026-2099"};
        for (int i = 0; i < 1000; i++) {
            schedules.add(CronExpression.parse("* * * " + days[i % days.length]));
        }
        Instant from = Instant.parse("2026-03-29T00:30:00Z");
        long start = System.nanoTime();
        int fired = 0;
        for (CronExpression cron : schedules) {
            Instant after = from;
            for (int s = 0; s < 1000; s++) {
                ZonedDateTime next = cron.nextFireTime(LONDON, after).orElseThrow();
                after = next.toInstant();
                fired++;
            }
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        assertThat(fired).isEqualTo(1_000_000);
        // About a microsecond a call on a laptop; the bound leaves room for a busy shared machine.
        assertThat(elapsed).isLessThan(Duration.ofSeconds(20));
    }

    private static void assertStrictlyIncreasing(List<ZonedDateTime> times) {
        for (int i = 1; i < times.size(); i++) {
            assertThat(times.get(i).toInstant()).isAfter(times.get(i - 1).toInstant());
        }
    }
}
