package dev.millrace.internal.fair;

import dev.millrace.fair.GovernorSettings;
import dev.millrace.fair.GovernorState;
import dev.millrace.fair.ResourceSample;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The governor's state machine, sample by sample. */
class GovernorTest {
    static final long SECOND = 1_000_000_000L;

    @Test
    void highHeapHalvesExecutionsDownToOneAndLowHeapDoublesThemBack() {
        Governor g = new Governor(GovernorSettings.DEFAULTS, 8);
        assertThat(g.observe(new ResourceSample(50, 10), 0).state()).isEqualTo(GovernorState.NORMAL);
        Governor.Snapshot s = g.observe(new ResourceSample(88, 10), 1);
        assertThat(s.state()).isEqualTo(GovernorState.THROTTLED);
        assertThat(s.allowed()).isEqualTo(4);
        assertThat(s.reason()).isEqualTo("heap 88.0 % above 85.0 %");
        assertThat(g.observe(new ResourceSample(88, 10), 2).allowed()).isEqualTo(2);
        assertThat(g.observe(new ResourceSample(88, 10), 3).allowed()).isEqualTo(1);
        assertThat(g.observe(new ResourceSample(88, 10), 4).allowed()).isEqualTo(1);
        // Between resume (70) and high (85): holds.
        assertThat(g.observe(new ResourceSample(75, 10), 5).allowed()).isEqualTo(1);
        assertThat(g.observe(new ResourceSample(60, 10), 6).allowed()).isEqualTo(2);
        assertThat(g.observe(new ResourceSample(60, 10), 7).allowed()).isEqualTo(4);
        Governor.Snapshot back = g.observe(new ResourceSample(60, 10), 8);
        assertThat(back.state()).isEqualTo(GovernorState.NORMAL);
        assertThat(back.allowed()).isEqualTo(8);
        assertThat(back.reason()).isEmpty();
    }

    @Test
    void heapAboveTheHardThresholdSuspendsAndResumesThrottled() {
        Governor g = new Governor(GovernorSettings.DEFAULTS, 8);
        Governor.Snapshot s = g.observe(new ResourceSample(97, 10), 0);
        assertThat(s.state()).isEqualTo(GovernorState.SUSPENDED);
        assertThat(s.allowed()).isZero();
        assertThat(s.reason()).contains("heap 97.0 % above 95.0 %");
        assertThat(g.observe(new ResourceSample(80, 10), 1)).satisfies(x -> {
            assertThat(x.state()).isEqualTo(GovernorState.THROTTLED);
            assertThat(x.allowed()).isEqualTo(1);
        });
    }

    @Test
    void cpuThrottlesOnlyWhenHighForTheSustainTime() {
        Governor g = new Governor(GovernorSettings.DEFAULTS, 8);
        assertThat(g.observe(new ResourceSample(10, 95), 0).state()).isEqualTo(GovernorState.NORMAL);
        assertThat(g.observe(new ResourceSample(10, 95), 9 * SECOND).state()).isEqualTo(GovernorState.NORMAL);
        Governor.Snapshot s = g.observe(new ResourceSample(10, 95), 10 * SECOND);
        assertThat(s.state()).isEqualTo(GovernorState.THROTTLED);
        assertThat(s.reason()).isEqualTo("CPU 95.0 % above 90.0 % for 10 s");
        // A dip below the threshold restarts the clock.
        Governor h = new Governor(GovernorSettings.DEFAULTS, 8);
        h.observe(new ResourceSample(10, 95), 0);
        h.observe(new ResourceSample(10, 80), 5 * SECOND);
        assertThat(h.observe(new ResourceSample(10, 95), 11 * SECOND).state()).isEqualTo(GovernorState.NORMAL);
    }

    @Test
    void settingsNameTheWrongThreshold() {
        assertThatThrownBy(() -> new GovernorSettings(85, 90, 80, 70, Duration.ZERO, Duration.ofMillis(100)))
                .hasMessage("governor suspendHeapPercent 80.0 is out of range: expected at least heapHighPercent 85.0");
        assertThatThrownBy(() -> new GovernorSettings(85, 90, 95, 88, Duration.ZERO, Duration.ofMillis(100)))
                .hasMessageContaining("resumeBelowPercent 88.0 is out of range: expected below");
        assertThatThrownBy(() -> new GovernorSettings(185, 90, 195, 70, Duration.ZERO, Duration.ofMillis(100)))
                .hasMessage("governor heapHighPercent 185.0 is out of range: expected 1 to 100");
    }
}
