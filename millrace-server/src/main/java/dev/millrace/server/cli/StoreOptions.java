package dev.millrace.server.cli;

import dev.millrace.Millrace;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Path;

/**
 * The options that say where a command's store is, shared by every command that opens one: the embedded H2
 * file store in a data folder by default, or a database given by JDBC URL (PostgreSQL for production).
 */
public final class StoreOptions {
    @Spec(Spec.Target.MIXEE)
    private CommandSpec command;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = Millrace.Builder.DEFAULT_DATA_DIR,
            description = "Folder of the embedded H2 file store and of the log file millrace.log"
                    + " (default: ${DEFAULT-VALUE}).")
    private Path dataDir;

    @Option(names = "--jdbc-url", paramLabel = "URL",
            description = "Use this database instead of the embedded store, such as"
                    + " jdbc:postgresql://localhost:5432/millrace.")
    private String jdbcUrl;

    @Option(names = "--user", paramLabel = "NAME", description = "Database user (with --jdbc-url).")
    private String user;

    @Option(names = "--password", paramLabel = "SECRET", arity = "0..1", interactive = true,
            defaultValue = "${env:MILLRACE_DB_PASSWORD}",
            description = "Database password (with --jdbc-url); prompted for when given without a value."
                    + " Default: the environment variable MILLRACE_DB_PASSWORD.")
    private String password;

    @Option(names = "--schema", paramLabel = "NAME",
            description = "Database schema of Millrace's tables, created if missing (default: the connection's).")
    private String schema;

    /** Creates the options; picocli fills them in. */
    public StoreOptions() {
    }

    /** The data folder: the embedded store's home, and the log file's in every case. */
    public Path dataDir() {
        return dataDir;
    }

    /**
     * Points a node's builder at the store these options name.
     *
     * @throws ParameterException when the options contradict each other or a value is invalid, naming it
     */
    public Millrace.Builder apply(Millrace.Builder builder) {
        if (jdbcUrl == null && user != null) {
            throw new ParameterException(command.commandLine(), "--user '" + user
                    + "' is only used with --jdbc-url: expected --jdbc-url too, or neither for the embedded store");
        }
        try {
            builder.dataDir(dataDir).schema(schema);
            if (jdbcUrl != null) builder.jdbcUrl(jdbcUrl, user, password);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(command.commandLine(), e.getMessage(), e);
        }
        return builder;
    }

    /** The store in words, for the command's first line; a password in the URL is masked. */
    public String describe() {
        if (jdbcUrl == null) return "embedded H2 file store in " + dataDir.toAbsolutePath().normalize();
        return "database " + jdbcUrl.replaceAll("(?i)(password=)[^&;]*", "$1***")
                + (schema == null ? "" : " (schema " + schema + ")");
    }
}
