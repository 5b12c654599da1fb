package dev.millrace.server.cli;

import java.io.Console;
import java.lang.reflect.Method;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/** What the CLI needs to know about the terminal it writes to. */
final class Terminal {
    private Terminal() {
    }

    /**
     * Whether a person is watching: output goes to a terminal that understands carriage returns and ANSI
     * erase, so a progress bar can redraw in place. False when output is redirected or {@code TERM=dumb}.
     */
    static boolean isInteractive() {
        if ("dumb".equals(System.getenv("TERM"))) return false;
        Console console = System.console();
        if (console == null) return false;
        // From JDK 22 System.console() may return a console even when redirected; isTerminal() tells.
        // The build targets 21, so it is looked up rather than called.
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }

    /** Whether stderr encodes Unicode, so block characters draw a smooth bar instead of '?' marks. */
    static boolean unicode() {
        String name = System.getProperty("stderr.encoding", System.getProperty("sun.stderr.encoding"));
        Charset charset;
        try {
            charset = name == null ? Charset.defaultCharset() : Charset.forName(name);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return charset.equals(StandardCharsets.UTF_8) || charset.name().startsWith("UTF-");
    }
}
