package dev.millrace.testing;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.millrace.Millrace;
import org.junit.jupiter.api.Assumptions;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * A database of its own for one test class: a fresh H2 in-memory database, or a fresh schema in the shared
 * PostgreSQL, dropped on close. Without PostgreSQL the test is skipped, except with {@code CI=true}, where
 * a missing PostgreSQL fails it.
 */
public final class TestDatabase implements AutoCloseable {
    /** Where the tests find PostgreSQL; override with MILLRACE_TEST_PG_URL. */
    public static final String PG_URL = System.getenv().getOrDefault("MILLRACE_TEST_PG_URL",
            "jdbc:postgresql://127.0.0.1:5432/test");
    public static final String PG_USER = System.getenv().getOrDefault("MILLRACE_TEST_PG_USER", "postgres");

    private final Db db;
    private final String schema;
    private final String url;
    private final HikariDataSource dataSource;

    private TestDatabase(Db db, String schema, String url, String user, int poolSize) {
        this.db = db;
        this.schema = schema;
        this.url = url;
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setMaximumPoolSize(poolSize);
        config.setMinimumIdle(1);
        config.setPoolName("test-" + schema);
        this.dataSource = new HikariDataSource(config);
    }

    /** A database for the named test class. */
    public static TestDatabase create(Db db, String testName) {
        return create(db, testName, 24);
    }

    /** A database for the named test class with a pool of this size. */
    public static TestDatabase create(Db db, String testName, int poolSize) {
        String schema = ("t_" + testName.replaceAll("[^A-Za-z0-9]", "_") + "_"
                + UUID.randomUUID().toString().substring(0, 8)).toLowerCase(Locale.ROOT);
        if (schema.length() > 60) schema = schema.substring(0, 51) + schema.substring(schema.length() - 9);
        return switch (db) {
            case H2 -> new TestDatabase(db, schema, "jdbc:h2:mem:" + schema + ";DB_CLOSE_DELAY=-1", "sa", poolSize);
            case POSTGRES -> {
                requirePostgres();
                yield new TestDatabase(db, schema, PG_URL, PG_USER, poolSize);
            }
        };
    }

    /** Skips the test when PostgreSQL is unreachable, or fails it under CI. */
    public static void requirePostgres() {
        try (Connection c = DriverManager.getConnection(PG_URL, PG_USER, "")) {
            c.isValid(2);
        } catch (SQLException e) {
            String why = "PostgreSQL is not reachable at " + PG_URL + " as " + PG_USER + ": " + e.getMessage();
            if ("true".equals(System.getenv("CI"))) throw new IllegalStateException(why + " (CI=true requires it)", e);
            Assumptions.abort(why);
        }
    }

    public Db db() {
        return db;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /** The schema Millrace's tables live in. */
    public String schema() {
        return schema;
    }

    public String jdbcUrl() {
        return url;
    }

    /** A node builder on this database and schema, with test-friendly timings. */
    public Millrace.Builder builder() {
        return Millrace.builder().dataSource(dataSource).schema(schema)
                .pollInterval(java.time.Duration.ofMillis(50)).workers(4);
    }

    /** Empties Millrace's tables (between tests of one class). */
    public void reset() {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            for (String table : new String[] {"mr_batch_error", "mr_batch_chunk", "mr_batch", "mr_schedule", "mr_job_log",
                    "mr_job", "mr_tenant", "mr_flag", "mr_api_key", "mr_event", "mr_subscription_partition",
                    "mr_subscription", "mr_channel", "mr_fair_lane", "mr_usage_hour", "mr_cursor_page", "mr_cursor",
                    "mr_cursor_usage", "mr_cursor_policy", "mr_event_policy", "mr_event_usage", "mr_flag_change"}) {
                try {
                    s.executeUpdate("DELETE FROM \"" + schema + "\"." + table);
                } catch (SQLException e) {
                    // not migrated yet
                    if (!c.getAutoCommit()) c.rollback();
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs SQL on this database (test fixtures: the tables jobs record their runs in). */
    public void execute(String sql) {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /**
     * Migrates this schema with Millrace's own migrations up to {@code version} only: the store as an older release
     * left it, for migration tests to fill and then open with a node (which migrates the rest).
     */
    public void migrateTo(String version) {
        org.flywaydb.core.Flyway.configure().dataSource(dataSource)
                .locations("classpath:dev/millrace/migration/" + (db == Db.H2 ? "h2" : "postgresql"))
                .table("mr_schema_history").baselineOnMigrate(true).baselineVersion("0")
                .schemas(schema).defaultSchema(schema).target(version).load().migrate();
    }

    /** A table of this schema, quoted for SQL. */
    public String table(String name) {
        return "\"" + schema + "\"." + name;
    }

    /** Writes a tenant row directly, with the default policy: for migration tests, which fill tables before a node opens them. */
    public void insertTenantRow(String tenant) {
        java.time.OffsetDateTime now = java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC);
        try (Connection c = dataSource.getConnection(); var ps = c.prepareStatement("INSERT INTO " + table("mr_tenant")
                + " (tenant_id, policy, created_at, updated_at) VALUES (?, '{}', ?, ?)")) {
            ps.setString(1, tenant);
            ps.setObject(2, now);
            ps.setObject(3, now);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("insert tenant " + tenant + ": " + e.getMessage(), e);
        }
    }

    /** A single number from a query. */
    public long queryLong(String sql) {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            if (db == Db.POSTGRES) s.execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
            else s.execute("SHUTDOWN");
        } catch (SQLException e) {
            // best effort
        } finally {
            dataSource.close();
        }
    }

    @Override
    public String toString() {
        return db + ":" + schema;
    }
}
