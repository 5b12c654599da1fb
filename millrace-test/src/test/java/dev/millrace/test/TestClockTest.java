package dev.millrace.test;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestClockTest {

    @Test
    void standsStillAtItsStartUntilMoved() {
        TestClock clock = new TestClock();
        assertThat(clock.instant()).isEqualTo(TestClock.DEFAULT_START).isEqualTo(clock.instant());
        assertThat(clock.millis()).isEqualTo(TestClock.DEFAULT_START.toEpochMilli());
    }

    @Test
    void advancesAndSetsForward() {
        TestClock clock = new TestClock(Instant.parse("2030-05-01T10:00:00Z"));
        assertThat(clock.advance(Duration.ofMinutes(5))).isEqualTo(Instant.parse("2030-05-01T10:05:00Z"));
        assertThat(clock.set(Instant.parse("2030-05-02T00:00:00Z"))).isEqualTo(clock.instant());
        assertThat(clock.advance(Duration.ZERO)).isEqualTo(Instant.parse("2030-05-02T00:00:00Z"));
    }

    @Test
    void keepsMicrosecondsAsTheDatabaseDoes() {
        TestClock clock = new TestClock(Instant.parse("2030-05-01T10:00:00.123456789Z"));
        assertThat(clock.instant()).isEqualTo(Instant.parse("2030-05-01T10:00:00.123456Z"));
        assertThat(clock.advance(Duration.ofNanos(999))).isEqualTo(Instant.parse("2030-05-01T10:00:00.123456Z"));
    }

    @Test
    void refusesToGoBack() {
        TestClock clock = new TestClock(Instant.parse("2030-05-01T10:00:00Z"));
        assertThatThrownBy(() -> clock.advance(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("duration PT-1S is negative: expected zero or more, the test clock only moves forward");
        assertThatThrownBy(() -> clock.set(Instant.parse("2030-05-01T09:59:59Z")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("instant 2030-05-01T09:59:59Z is before the test clock's time 2030-05-01T10:00:00Z: expected"
                        + " 2030-05-01T10:00:00Z or later, the test clock only moves forward");
        assertThat(clock.instant()).isEqualTo(Instant.parse("2030-05-01T10:00:00Z"));
    }
}
