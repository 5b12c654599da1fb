package dev.millrace.cron;

import dev.millrace.schedule.CronExpression;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every row of {@code cron/fire-times.txt} fires at exactly the listed local times and offsets, and every row of
 * {@code cron/invalid.txt} is rejected with exactly the listed message. The expected values were worked out by hand.
 */
class CronFireTimeTableTest {
    private static final List<CronTable.Row> FIRE_TIMES = CronTable.read("/cron/fire-times.txt", 4);
    private static final List<CronTable.Row> INVALID = CronTable.read("/cron/invalid.txt", 2);

    static Stream<Arguments> fireTimes() {
        return FIRE_TIMES.stream().map(r -> Arguments.of(
                Named.of("line " + r.line() + ": " + r.column(0) + " in " + r.column(1) + " after " + r.column(2), r)));
    }

    static Stream<Arguments> invalid() {
        return INVALID.stream().map(r -> Arguments.of(Named.of("line " + r.line() + ": " + r.column(0), r)));
    }

    @ParameterizedTest
    @MethodSource("fireTimes")
    void fires_at_the_listed_times_and_offsets(CronTable.Row row) {
        CronExpression cron = CronExpression.parse(row.column(0));
        ZoneId zone = ZoneId.of(row.column(1));
        List<String> expected = new ArrayList<>(Arrays.asList(row.column(3).split("\\s+")));
        boolean ends = expected.get(expected.size() - 1).equals("none");
        if (ends) expected.remove(expected.size() - 1);
        int asked = expected.size() + (ends ? 1 : 0);

        List<ZonedDateTime> actual = cron.nextFireTimes(zone, OffsetDateTime.parse(row.column(2)).toInstant(), asked);

        assertThat(actual).allSatisfy(t -> assertThat(t.getZone()).isEqualTo(zone));
        assertThat(actual.stream().map(ZonedDateTime::toOffsetDateTime).toList())
                .containsExactlyElementsOf(expected.stream().map(OffsetDateTime::parse).toList());
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void rejects_with_a_message_naming_field_value_and_expectation(CronTable.Row row) {
        assertThatThrownBy(() -> CronExpression.parse(row.column(0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(row.column(1));
    }

    @Test
    void the_tables_hold_at_least_200_valid_expressions_and_many_invalid_ones() {
        assertThat(FIRE_TIMES).hasSizeGreaterThanOrEqualTo(200);
        assertThat(INVALID).hasSizeGreaterThanOrEqualTo(100);
    }
}
