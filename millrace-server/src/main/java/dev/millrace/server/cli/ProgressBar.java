package dev.millrace.server.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * A one-line progress display for long work. In an interactive terminal it redraws one line in place
 * ({@code \r} and ANSI erase-line); otherwise it prints a plain line now and then, so logs and CI output get
 * a few readable lines instead of thousands of carriage returns; or it stays silent. Callers report
 * progress as often as they like; drawing is throttled here.
 *
 * <p>Written for the CLI rather than taken from a library: it needs custom text after the bar, both modes,
 * and nothing that probes the terminal natively (libraries that do pull in JLine and print warnings of
 * their own on dumb terminals).
 */
final class ProgressBar {
    /** How the bar shows itself. */
    enum Mode {
        /** Redraws one line in place. */
        ANSI,
        /** Prints a plain line at most every {@link #PLAIN_INTERVAL}. */
        PLAIN,
        /** Prints nothing. */
        NONE
    }

    /** The shortest time between two plain lines. */
    static final Duration PLAIN_INTERVAL = Duration.ofSeconds(2);
    private static final int WIDTH = 24;
    private static final String PARTIAL = " ▏▎▍▌▋▊▉█";

    private final PrintWriter out;
    private final Mode mode;
    private final boolean unicode;
    private final String label;
    private long lastPlainNanos = Long.MIN_VALUE;
    private String lastPlainLine = "";
    private boolean drawn;

    ProgressBar(PrintWriter out, Mode mode, boolean unicode, String label) {
        this.out = out;
        this.mode = mode;
        this.unicode = unicode;
        this.label = label;
    }

    /** The mode for this terminal, unless progress was turned off. */
    static Mode modeFor(boolean disabled) {
        if (disabled) return Mode.NONE;
        return Terminal.isInteractive() ? Mode.ANSI : Mode.PLAIN;
    }

    /**
     * Shows the progress now (or soon, in plain mode).
     *
     * @param done units done
     * @param total units expected
     * @param detail text after the numbers, such as a rate; may be empty
     * @param elapsed time since the work began
     */
    synchronized void update(long done, long total, String detail, Duration elapsed) {
        switch (mode) {
            case NONE -> {
            }
            case ANSI -> {
                out.print("\r" + line(done, total, detail, elapsed, true) + "\u001b[K");
                out.flush();
                drawn = true;
            }
            case PLAIN -> {
                long now = System.nanoTime();
                String text = line(done, total, detail, elapsed, false);
                boolean due = lastPlainNanos == Long.MIN_VALUE || now - lastPlainNanos >= PLAIN_INTERVAL.toNanos();
                if (due && !text.equals(lastPlainLine)) {
                    out.println(text);
                    out.flush();
                    lastPlainNanos = now;
                    lastPlainLine = text;
                }
            }
        }
    }

    /** Shows the final state and ends the line, so what is printed next starts on a line of its own. */
    synchronized void finish(long done, long total, String detail, Duration elapsed) {
        switch (mode) {
            case NONE -> {
            }
            case ANSI -> {
                update(done, total, detail, elapsed);
                out.println();
                out.flush();
                drawn = false;
            }
            case PLAIN -> {
                String text = line(done, total, detail, elapsed, false);
                if (!text.equals(lastPlainLine)) out.println(text);
                out.flush();
            }
        }
    }

    /** Ends a line left half drawn (on an interruption), so a message printed next is readable. */
    synchronized void abandon() {
        if (mode == Mode.ANSI && drawn) {
            out.println();
            out.flush();
            drawn = false;
        }
    }

    /** The text of one line: label, bar (when drawing in place), percentage, counts, detail, elapsed time. */
    String line(long done, long total, String detail, Duration elapsed, boolean withBar) {
        double fraction = total <= 0 ? 1 : Math.min(1, Math.max(0, (double) done / total));
        StringBuilder s = new StringBuilder(label).append(' ');
        if (withBar) s.append(bar(fraction)).append(' ');
        s.append(String.format(Locale.ROOT, "%3d%%  %,d/%,d", (int) Math.floor(fraction * 100), done, total));
        if (detail != null && !detail.isEmpty()) s.append("  ").append(detail);
        s.append("  ").append(clock(elapsed));
        return s.toString();
    }

    /** A bar {@value #WIDTH} cells wide; with Unicode each cell shows eighths, so slow progress still moves. */
    String bar(double fraction) {
        StringBuilder s = new StringBuilder(WIDTH + 2);
        if (unicode) {
            int eighths = (int) Math.round(fraction * WIDTH * 8);
            s.append('▕');
            for (int i = 0; i < WIDTH; i++) {
                int cell = Math.min(8, Math.max(0, eighths - i * 8));
                s.append(PARTIAL.charAt(cell));
            }
            s.append('▏');
        } else {
            int full = (int) Math.round(fraction * WIDTH);
            s.append('[').append("#".repeat(full)).append(".".repeat(WIDTH - full)).append(']');
        }
        return s.toString();
    }

    /** Elapsed time as {@code m:ss}. */
    static String clock(Duration d) {
        long s = Math.max(0, d.toSeconds());
        return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
