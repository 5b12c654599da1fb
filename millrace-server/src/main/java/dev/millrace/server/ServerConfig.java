package dev.millrace.server;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The server's settings, from (in rising precedence) the defaults, a properties file, and environment variables
 * named {@code MILLRACE_} plus the key in upper case with dots and dashes as underscores ({@code server.port} is
 * {@code MILLRACE_SERVER_PORT}). An unknown key in the file, or a bad value anywhere, stops the server at start
 * with the key and the problem.
 *
 * @param host the address to listen on
 * @param port the port to listen on (0 picks a free one)
 * @param adminKey the admin key, or null for none (then no tenant can be created over HTTP)
 * @param dataDir the embedded H2 store's folder (when no JDBC URL is set) and the log file's
 * @param jdbcUrl a PostgreSQL (or H2) JDBC URL, or null for the embedded store
 * @param dbUser the database user, or null
 * @param dbPassword the database password, or null
 * @param schema the schema of Millrace's tables, or null for the connection's
 * @param workers worker threads running jobs on this node
 * @param maxBodyBytes the largest request body accepted
 * @param jobClasses classes of queueables, schedulables and batches the REST API may enqueue, schedule and submit
 *        (and this node runs)
 * @param futureClasses classes whose {@code @Future} methods this node runs
 * @param handlerClasses event handler classes this node delivers to, the ones a subscription may name
 */
public record ServerConfig(String host, int port, String adminKey, Path dataDir, String jdbcUrl, String dbUser,
                           String dbPassword, String schema, int workers, long maxBodyBytes, List<String> jobClasses,
                           List<String> futureClasses, List<String> handlerClasses) {

    /** Every key with its default and one line of documentation, in the order the docs list them. */
    public static final Map<String, String[]> KEYS = keys();

    private static Map<String, String[]> keys() {
        Map<String, String[]> k = new LinkedHashMap<>();
        k.put("server.host", new String[] {"0.0.0.0", "address to listen on"});
        k.put("server.port", new String[] {"8080", "port to listen on, 0 to 65535 (0 picks a free port)"});
        k.put("admin.key", new String[] {"", "the admin key (at least 24 characters); empty: no admin access"});
        k.put("store.data-dir", new String[] {"millrace-data", "folder of the embedded H2 file store and the log"});
        k.put("store.jdbc-url", new String[] {"", "jdbc:postgresql://host:5432/db to use PostgreSQL; empty: embedded H2"});
        k.put("store.user", new String[] {"", "database user"});
        k.put("store.password", new String[] {"", "database password"});
        k.put("store.schema", new String[] {"", "schema of Millrace's tables; empty: the connection's"});
        k.put("node.workers", new String[] {"8", "worker threads running jobs, 1 to 1000"});
        k.put("api.max-body-bytes", new String[] {"1048576", "largest request body in bytes, 1024 to 104857600"});
        k.put("jobs.classes", new String[] {"", "comma-separated queueable, schedulable and batch classes the API"
                + " may use"});
        k.put("jobs.future-classes", new String[] {"", "comma-separated classes with @Future methods"});
        k.put("events.handler-classes", new String[] {"", "comma-separated event handler classes subscriptions may name"});
        return java.util.Collections.unmodifiableMap(k);
    }

    /** The environment variable of a key. */
    public static String envName(String key) {
        return "MILLRACE_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /**
     * Reads the settings.
     *
     * @param file a properties file, or null for none
     * @param env the environment (System.getenv() in production)
     * @param overrides settings given on the command line, highest precedence
     * @throws ConfigException naming the key and the problem
     */
    public static ServerConfig load(Path file, Map<String, String> env, Map<String, String> overrides) {
        Map<String, String> values = new TreeMap<>();
        KEYS.forEach((k, v) -> values.put(k, v[0]));
        Map<String, String> source = new TreeMap<>();
        if (file != null) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException e) {
                throw new ConfigException("config file " + file + " cannot be read: " + e.getMessage()
                        + "; expected a readable properties file");
            }
            for (String name : p.stringPropertyNames()) {
                if (!KEYS.containsKey(name)) {
                    throw new ConfigException("config file " + file + ": key '" + name + "' is unknown: expected one of "
                            + String.join(", ", KEYS.keySet()));
                }
                values.put(name, p.getProperty(name).trim());
                source.put(name, "config file " + file);
            }
        }
        for (String key : KEYS.keySet()) {
            String v = env.get(envName(key));
            if (v != null) {
                values.put(key, v.trim());
                source.put(key, "environment variable " + envName(key));
            }
        }
        for (Map.Entry<String, String> o : overrides.entrySet()) {
            if (!KEYS.containsKey(o.getKey())) throw new ConfigException("setting '" + o.getKey() + "' is unknown");
            values.put(o.getKey(), o.getValue());
            source.put(o.getKey(), "command line");
        }
        Parser p = new Parser(values, source);
        String admin = p.optional("admin.key");
        if (admin != null && (admin.length() < 24 || admin.chars().anyMatch(Character::isWhitespace))) {
            throw p.bad("admin.key", "is " + admin.length() + " characters" + (admin.chars()
                    .anyMatch(Character::isWhitespace) ? " with white space" : "")
                    + ": expected at least 24 characters without white space (a random secret)");
        }
        String url = p.optional("store.jdbc-url");
        if (url != null && !url.startsWith("jdbc:postgresql:") && !url.startsWith("jdbc:h2:")) {
            throw p.bad("store.jdbc-url", "'" + url + "' is not supported: expected jdbc:postgresql:… or jdbc:h2:…");
        }
        String schema = p.optional("store.schema");
        if (schema != null && !schema.matches("[A-Za-z_][A-Za-z0-9_]{0,62}")) {
            throw p.bad("store.schema", "'" + schema + "' is invalid: expected a letter or '_' then up to 62 letters,"
                    + " digits or '_'");
        }
        String user = p.optional("store.user");
        if (url == null && user != null) {
            throw p.bad("store.user", "is set without store.jdbc-url: expected store.jdbc-url too, or neither");
        }
        return new ServerConfig(p.required("server.host"), (int) p.number("server.port", 0, 65_535), admin,
                Path.of(p.required("store.data-dir")), url, user, p.optional("store.password"), schema,
                (int) p.number("node.workers", 1, 1000), p.number("api.max-body-bytes", 1024, 100L << 20),
                p.list("jobs.classes"), p.list("jobs.future-classes"), p.list("events.handler-classes"));
    }

    /** Settings read from strings, with errors naming key, source and rule. */
    private record Parser(Map<String, String> values, Map<String, String> source) {
        ConfigException bad(String key, String problem) {
            String from = source.getOrDefault(key, "default");
            return new ConfigException("setting " + key + " (" + from + ") " + problem);
        }

        String optional(String key) {
            String v = values.get(key);
            return v == null || v.isBlank() ? null : v;
        }

        String required(String key) {
            String v = optional(key);
            if (v == null) throw bad(key, "is empty: expected a value");
            return v;
        }

        long number(String key, long min, long max) {
            String v = required(key);
            long n;
            try {
                n = Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw bad(key, "'" + v + "' is not a whole number: expected " + min + " to " + max);
            }
            if (n < min || n > max) throw bad(key, n + " is out of range: expected " + min + " to " + max);
            return n;
        }

        List<String> list(String key) {
            String v = optional(key);
            List<String> out = new ArrayList<>();
            if (v == null) return out;
            for (String part : v.split(",")) {
                String name = part.trim();
                if (name.isEmpty()) continue;
                if (!name.matches("[A-Za-z_$][A-Za-z0-9_$]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)*")) {
                    throw bad(key, "'" + name + "' is not a class name: expected fully qualified class names"
                            + " separated by commas");
                }
                out.add(name);
            }
            return List.copyOf(out);
        }
    }

    @Override
    public String toString() {
        // Secrets never reach a log line.
        return "ServerConfig[" + host + ":" + port + ", admin key " + (adminKey == null ? "none" : "set") + ", "
                + (jdbcUrl == null ? "embedded H2 in " + dataDir : jdbcUrl) + ", workers " + workers + "]";
    }
}
