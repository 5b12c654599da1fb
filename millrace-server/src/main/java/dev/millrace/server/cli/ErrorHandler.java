package dev.millrace.server.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.PrintWriter;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * How the CLI reports errors on stderr.
 *
 * <ul>
 *   <li>Bad usage (an unknown option, a value out of range): the message, picocli's suggestions for a
 *       mistyped option, and where to find the command's help, with exit code 2. Not the whole usage text,
 *       which would bury the one line that says what was wrong.</li>
 *   <li>A failure while running: the message and its causes' messages, with exit code 1. The stack trace
 *       goes to the log file, not the terminal: the person at the terminal needs to know what went wrong,
 *       and whoever debugs it needs the trace.</li>
 * </ul>
 */
public final class ErrorHandler implements IExecutionExceptionHandler, IParameterExceptionHandler {
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

    @Override
    public int handleParseException(ParameterException e, String[] args) {
        CommandLine cli = e.getCommandLine();
        PrintWriter err = cli.getErr();
        err.println(cli.getColorScheme().errorText(e.getMessage()));
        UnmatchedArgumentException.printSuggestions(e, err);
        err.println("Run '" + cli.getCommandSpec().qualifiedName() + " --help' for its options.");
        err.flush();
        return cli.getCommandSpec().exitCodeOnInvalidInput();
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
