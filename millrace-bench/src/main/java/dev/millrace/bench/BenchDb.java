package dev.millrace.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * The database of one bench run: schemas of its own ({@code bench_<random>}) in the shared PostgreSQL, or an H2
 * database in a temporary folder; everything it created is dropped on {@link #close()} unless asked to keep it.
 * Millrace and the baseline each get a pool of their own, of the same size, so neither waits on the other's
 * connections.
 */
final class BenchDb implements AutoCloseable {
    private final BenchOptions options;
    private final String url;
    private final String user;
    private final String password;
    private final Path h2Dir;
    private final String runId = UUID.randomUUID().toString().substring(0, 8);
    private final List<String> schemas = new ArrayList<>();
    private final List<HikariDataSource> pools = new ArrayList<>();
    private final HikariDataSource admin;

    private BenchDb(BenchOptions options) {
        this.options = options;
        if (options.db == BenchOptions.Db.postgres) {
            this.url = options.pgUrl;
            this.user = options.pgUser;
            this.password = options.pgPassword;
            this.h2Dir = null;
        } else {
            try {
                this.h2Dir = Files.createTempDirectory("millrace-bench-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            // LOCK_TIMEOUT: claims use SKIP LOCKED, but H2's row locks still make a blocked writer wait.
            this.url = options.h2Mode == BenchOptions.H2Mode.mem
                    ? "jdbc:h2:mem:bench_" + runId + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000" + options.h2Options
                    // The embedded default's settings (a commit is in the file before it returns), so the figures are
                    // what users get.
                    : "jdbc:h2:file:" + h2Dir.resolve("bench") + dev.millrace.internal.store.sql.SqlStore.EMBEDDED_H2_SETTINGS
                    + ";LOCK_TIMEOUT=10000"
                    + options.h2Options;
            this.user = "sa";
            this.password = "";
        }
        this.admin = pool("bench-admin", 2);
    }

    /** Opens the run's database (nothing is created until {@link #newSchema(String)}). */
    static BenchDb open(BenchOptions options) {
        return new BenchDb(options);
    }

    boolean isPostgres() {
        return options.db == BenchOptions.Db.postgres;
    }

    /** A human-readable name of the database for RESULT lines. */
    String describe() {
        return isPostgres() ? "postgres" : "h2-" + options.h2Mode;
    }

    /** Creates a fresh schema, named {@code bench_<run>_<purpose>}, dropped on close. */
    String newSchema(String purpose) {
        String schema = "bench_" + runId + "_" + purpose;
        execute("CREATE SCHEMA \"" + schema + "\"");
        schemas.add(schema);
        return schema;
    }

    /** A new pool of {@code size} connections on the run's database, closed with it. */
    HikariDataSource pool(String name, int size) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(size);
        config.setPoolName(name);
        config.setConnectionTimeout(30_000);
        HikariDataSource pool = new HikariDataSource(config);
        pools.add(pool);
        return pool;
    }

    /** The pool bench bookkeeping uses (DDL, counts, ANALYZE). */
    DataSource admin() {
        return admin;
    }

    void execute(String sql) {
        try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    long queryLong(String sql) {
        try (Connection c = admin.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /** Refreshes the planner's statistics of a table (PostgreSQL; H2 keeps none worth refreshing). */
    void analyze(String qualifiedTable) {
        if (isPostgres()) execute("ANALYZE " + qualifiedTable);
    }

    /** Empties tables at once, between rounds. */
    void truncate(String... qualifiedTables) {
        for (String t : qualifiedTables) execute((isPostgres() ? "TRUNCATE " : "TRUNCATE TABLE ") + t);
    }

    /** The server's version, for the record. */
    String serverVersion() {
        try (Connection c = admin.getConnection()) {
            return c.getMetaData().getDatabaseProductName() + " " + c.getMetaData().getDatabaseProductVersion();
        } catch (SQLException e) {
            return "unknown";
        }
    }

    @Override
    public void close() {
        if (!options.keep) {
            for (String schema : schemas) {
                try {
                    execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
                } catch (RuntimeException e) {
                    System.err.println("could not drop schema " + schema + ": " + e.getMessage());
                }
            }
            if (!isPostgres()) {
                try {
                    execute("SHUTDOWN");
                } catch (RuntimeException e) {
                    // already closed
                }
            }
        } else {
            System.err.println("kept " + (isPostgres() ? "schemas " + schemas : "H2 database " + url));
        }
        for (HikariDataSource p : pools) p.close();
        if (h2Dir != null && !options.keep) deleteTree(h2Dir);
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete " + dir + ": " + e.getMessage());
        }
    }
}
