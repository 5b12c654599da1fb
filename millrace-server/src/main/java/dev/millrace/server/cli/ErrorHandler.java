package dev.millrace.server.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Turns an exception that escapes a command into one clear line on stderr (the message and its causes)
 * and exit code 1. The stack trace goes to the log file, not the terminal: the person at the terminal
 * needs to know what went wrong, and whoever debugs it needs the trace.
 */
public final class ErrorHandler implements IExecutionExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorHandler.class);

    /** Creates the handler. */
    public ErrorHandler() {
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine commandLine, ParseResult parseResult) {
        LOG.error("{} failed", commandLine.getCommandSpec().qualifiedName(), e);
        commandLine.getErr().println(commandLine.getColorScheme().errorText(
                commandLine.getCommandSpec().qualifiedName() + ": error: " + describe(e)));
        commandLine.getErr().flush();
        return 1;
    }

    /** The message of an exception followed by its causes' messages, each said once. */
    static String describe(Throwable e) {
        StringBuilder text = new StringBuilder(message(e));
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        seen.add(e);
        for (Throwable c = e.getCause(); c != null && seen.add(c); c = c.getCause()) {
            String m = message(c);
            if (text.indexOf(m) < 0) text.append("\n  caused by: ").append(m);
        }
        return text.toString();
    }

    private static String message(Throwable t) {
        return t.getMessage() == null || t.getMessage().isBlank() ? t.getClass().getName() : t.getMessage();
    }
}
