package dev.millrace.server.cli;

import dev.millrace.server.ConfigException;
import dev.millrace.server.MillraceServer;
import dev.millrace.server.ServerConfig;
import dev.millrace.server.dashboard.Dashboard;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code millrace serve}: runs the server (a node, the REST API, metrics) until Ctrl-C. */
@Command(name = "serve",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {"Runs a node with the REST API, health checks and Prometheus metrics until Ctrl-C.",
                "Settings come from --config FILE (properties), then MILLRACE_* environment variables, then the"
                        + " options below; a bad setting stops the start with its key and the problem.",
                "Keys: server.host, server.port, admin.key, store.data-dir, store.jdbc-url, store.user,"
                        + " store.password, store.schema, node.workers, api.max-body-bytes, jobs.classes,"
                        + " jobs.future-classes, events.handler-classes (environment: MILLRACE_SERVER_PORT and so"
                        + " on)."})
public final class ServeCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "A properties file of settings.")
    private Path configFile;

    @Option(names = {"-p", "--port"}, paramLabel = "PORT", description = "server.port: the port (0 picks one).")
    private Integer port;

    @Option(names = "--host", paramLabel = "ADDRESS", description = "server.host: the address to listen on.")
    private String host;

    /** Creates the command; picocli fills in its options. */
    public ServeCommand() {
    }

    @Override
    public Integer call() throws Exception {
        Map<String, String> overrides = new LinkedHashMap<>();
        if (port != null) overrides.put("server.port", port.toString());
        if (host != null) overrides.put("server.host", host);
        ServerConfig config;
        MillraceServer server;
        try {
            config = ServerConfig.load(configFile, System.getenv(), overrides);
            Logging.toDirectory(config.dataDir());
            server = MillraceServer.builder(config).start();
        } catch (ConfigException e) {
            // A bad setting is bad usage: exit 2 with the key and the problem, as for a bad option.
            PrintWriter err = spec.commandLine().getErr();
            err.println("millrace serve: " + e.getMessage());
            err.flush();
            return 2;
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf("Millrace %s server: node %s on %s%n", VersionProvider.version(), server.millrace().nodeId(),
                config.jdbcUrl() == null ? "the embedded H2 file store in " + config.dataDir().toAbsolutePath()
                        : config.jdbcUrl().replaceAll("(?i)(password=)[^&;]*", "$1***"));
        out.printf("REST API: %s/api/v1 (OpenAPI: %s%s)%n", server.url(), server.url(), MillraceServer.OPENAPI_PATH);
        out.printf("Dashboard: %s%s/%n", server.url(), Dashboard.PATH);
        out.printf("Health:   %s/health/ready   Metrics: %s/metrics%n", server.url(), server.url());
        if (config.adminKey() == null) out.println("No admin key set (admin.key): tenants cannot be managed over HTTP.");
        out.println("Press Ctrl-C to stop.");
        out.flush();
        awaitShutdown(server);
        return 0;
    }

    /** Blocks until the JVM is asked to stop, then closes the server in the shutdown hook. */
    static void awaitShutdown(AutoCloseable server) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (Exception e) {
                // Shutting down anyway.
            } finally {
                stopped.countDown();
            }
        }, "millrace-server-shutdown"));
        stopped.await();
    }
}
