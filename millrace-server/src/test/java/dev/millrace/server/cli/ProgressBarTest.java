package dev.millrace.server.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class ProgressBarTest {

    @Test
    void anAnsiBarRedrawsOneLineInPlace() {
        StringWriter out = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(out), ProgressBar.Mode.ANSI, false, "Running");

        bar.update(50, 200, "10 jobs/s", Duration.ofSeconds(5));
        bar.finish(200, 200, "12 jobs/s", Duration.ofSeconds(65));

        assertThat(out.toString())
                .startsWith("\rRunning [######..................]  25%  50/200  10 jobs/s  0:05\u001b[K")
                .endsWith("\rRunning [########################] 100%  200/200  12 jobs/s  1:05\u001b[K"
                        + System.lineSeparator());
    }

    @Test
    void aUnicodeBarShowsEighthsOfACell() {
        ProgressBar bar = new ProgressBar(new PrintWriter(new StringWriter()), ProgressBar.Mode.ANSI, true, "x");

        // 24 cells × 8 = 192 eighths; 0.5 is 96 eighths: 12 full cells.
        assertThat(bar.bar(0.5)).isEqualTo("▕" + "█".repeat(12) + " ".repeat(12) + "▏");
        // 1/192 of the way: one eighth of the first cell.
        assertThat(bar.bar(1.0 / 192)).isEqualTo("▕▏" + " ".repeat(23) + "▏");
    }

    @Test
    void aPlainBarPrintsWholeLinesAndNotTooOften() {
        StringWriter out = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(out), ProgressBar.Mode.PLAIN, true, "Running");

        bar.update(1, 10, "", Duration.ZERO);
        bar.update(2, 10, "", Duration.ZERO);
        bar.finish(10, 10, "", Duration.ofSeconds(1));

        assertThat(out.toString().lines()).containsExactly("Running  10%  1/10  0:00", "Running 100%  10/10  0:01");
    }

    @Test
    void noneIsSilent() {
        StringWriter out = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(out), ProgressBar.Mode.NONE, true, "Running");

        bar.update(1, 10, "", Duration.ZERO);
        bar.finish(10, 10, "", Duration.ZERO);

        assertThat(out.toString()).isEmpty();
    }
}
