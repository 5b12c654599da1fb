package dev.millrace.server;

import dev.millrace.server.cli.DemoCommand;
import dev.millrace.server.cli.ServeCommand;
import dev.millrace.server.cli.EnqueueCommand;
import dev.millrace.server.cli.JobsCommand;
import dev.millrace.server.cli.TenantsCommand;
import dev.millrace.server.cli.KeysCommand;
import dev.millrace.server.cli.SchedulesCommand;
import dev.millrace.server.cli.FlagsCommand;
import dev.millrace.server.cli.EventsCommand;
import dev.millrace.server.cli.BatchCommand;
import dev.millrace.server.cli.ErrorHandler;
import dev.millrace.server.cli.VersionProvider;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The runnable jar's entry point: the {@code millrace} command and its subcommands, one class each in
 * {@code dev.millrace.server.cli}. A new subcommand is a class annotated {@code @Command} added to
 * {@code subcommands} below.
 */
@Command(name = "millrace",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Millrace: a multi-tenant asynchronous job platform for the JVM.",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {DemoCommand.class, ServeCommand.class, EnqueueCommand.class, JobsCommand.class,
                TenantsCommand.class, KeysCommand.class, SchedulesCommand.class, FlagsCommand.class, EventsCommand.class,
                BatchCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Run 'millrace COMMAND --help' for a command's options."})
public final class Main implements Runnable {
    @Spec
    private CommandSpec spec;

    /** Creates the top command; {@link #commandLine()} wires it. */
    public Main() {
    }

    /** Runs the command line and exits with its code: 0 done, 1 failed, 2 bad usage. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * The configured command line, for {@link #main} and for tests that run a command in-process with their
     * own output writers ({@link CommandLine#setOut}, {@link CommandLine#setErr}).
     */
    public static CommandLine commandLine() {
        ErrorHandler errors = new ErrorHandler();
        return new CommandLine(new Main())
                .setExecutionExceptionHandler(errors)
                .setParameterExceptionHandler(errors)
                .setCaseInsensitiveEnumValuesAllowed(true);
    }

    /** Without a command there is nothing to do: say which commands exist. */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: expected one of "
                + String.join(", ", spec.subcommands().keySet().stream().filter(n -> !n.equals("help")).toList()));
    }
}
