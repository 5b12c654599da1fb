package dev.millrace.internal.store.sql;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.millrace.TenantId;
import dev.millrace.internal.store.BatchStore;
import dev.millrace.internal.store.CursorStore;
import dev.millrace.internal.store.EventStore;
import dev.millrace.internal.store.FlagStore;
import dev.millrace.internal.store.ApiKeyStore;
import dev.millrace.internal.store.JobStore;
import dev.millrace.internal.store.StatsStore;
import dev.millrace.internal.store.LeaderLock;
import dev.millrace.internal.store.ScheduleStore;
import dev.millrace.internal.store.TenantStore;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * The SQL store: opens (or adopts) a data source, picks the dialect, migrates the schema with Flyway, and
 * hands out the stores. Closing it closes only a pool it opened itself.
 */
public final class SqlStore implements AutoCloseable {
    private final DataSource dataSource;
    private final boolean ownsDataSource;
    private final SqlDialect dialect;
    private final Tables tables;
    private final Jdbc jdbc;
    private final JobStore jobs;
    private final TenantStore tenants;
    private final BatchStore batches;
    private final CursorStore cursors;
    private final FlagStore flags;
    private final ScheduleStore schedules;
    private final dev.millrace.internal.store.FairStore fair;
    private final LeaderLock leaderLock;
    private final String description;
    private final PgNotifier notifier;
    private final PgNotifier eventNotifier;
    private final EventStore events;
    private final ApiKeyStore apiKeys;
    private final StatsStore stats;

    private SqlStore(DataSource dataSource, boolean owns, String schema, String description) {
        this.dataSource = dataSource;
        this.ownsDataSource = owns;
        this.dialect = detect(dataSource);
        this.tables = Tables.in(schema);
        this.jdbc = new Jdbc(dataSource);
        this.notifier = dialect.supportsListenNotify() ? new PgNotifier(dataSource, tables.readyChannel()) : null;
        SqlJobStore sqlJobs = new SqlJobStore(jdbc, dialect, tables, notifier);
        this.jobs = sqlJobs;
        this.fair = new SqlFairStore(jdbc, dialect, tables, sqlJobs);
        this.tenants = new SqlTenantStore(jdbc, dialect, tables);
        this.batches = new SqlBatchStore(jdbc, dialect, tables, jobs);
        this.cursors = new SqlCursorStore(jdbc, dialect, schema);
        this.flags = new SqlFlagStore(jdbc, dialect, tables, sqlJobs::readyBehindFloors);
        this.schedules = new SqlScheduleStore(jdbc, dialect, tables, jobs);
        this.leaderLock = new SqlLeaderLock(jdbc, dialect, description + "/" + schema);
        this.description = description;
        this.apiKeys = new SqlApiKeyStore(jdbc, schema);
        this.stats = new SqlStatsStore(jdbc, tables);
        this.eventNotifier = dialect.supportsListenNotify() ? new PgNotifier(dataSource, tables.eventChannel()) : null;
        this.events = new SqlEventStore(jdbc, dialect, schema, eventNotifier, tables.eventChannel());
    }

    /** The event store: channels, events, subscriptions. */
    public EventStore events() {
        return events;
    }

    /**
     * A listener that calls {@code onEvents} when any node of this schema publishes events (on the schema's own
     * channel, so another installation in another schema of the database never wakes it); start it, then close it.
     */
    public PgListener eventListener(Runnable onEvents) {
        if (!dialect.supportsListenNotify()) {
            throw new IllegalStateException("database " + dialect.name() + " has no LISTEN/NOTIFY");
        }
        return new PgListener(dataSource, tables.eventChannel(), payloads -> onEvents.run(), eventNotifier);
    }

    /**
     * Settings of the embedded H2 file store's URL. {@code WRITE_DELAY=0}: H2 otherwise writes committed changes to
     * its file up to half a second after the commit returned, so a killed process lost acknowledged enqueues (and,
     * killed soon after its first start, Flyway's history while keeping the tables it had created). With it, a
     * commit is in the file before it returns; not fsynced, so a power failure can still lose the last ones.
     */
    public static final String EMBEDDED_H2_SETTINGS = ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";

    /**
     * Opens the store.
     *
     * @param dataSource a data source the caller owns, or null
     * @param jdbcUrl a URL to open a pool on when no data source is given, or null
     * @param dataDir the embedded H2 file store's folder when neither is given
     * @param schema the schema of Millrace's tables, or null for the connection's default
     * @param poolSize the size of a pool this store opens
     * @param migrate whether to apply pending migrations; otherwise pending ones are an error
     */
    public static SqlStore open(DataSource dataSource, String jdbcUrl, String user, String password, Path dataDir,
                                String schema, int poolSize, boolean migrate) {
        SqlStore store;
        if (dataSource != null) {
            store = new SqlStore(dataSource, false, schema, "datasource@" + System.identityHashCode(dataSource));
        } else {
            String url = jdbcUrl != null ? jdbcUrl
                    : "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("millrace") + EMBEDDED_H2_SETTINGS;
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(url);
            if (user != null) config.setUsername(user);
            if (password != null) config.setPassword(password);
            config.setMaximumPoolSize(poolSize);
            config.setMinimumIdle(Math.min(poolSize, 4));
            config.setPoolName("millrace");
            config.setConnectionTimeout(10_000);
            HikariDataSource pool = new HikariDataSource(config);
            try {
                store = new SqlStore(pool, true, schema, url);
            } catch (RuntimeException e) {
                pool.close();
                throw e;
            }
        }
        try {
            store.migrate(schema, migrate);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    private static SqlDialect detect(DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            String product = c.getMetaData().getDatabaseProductName();
            if (product.contains("PostgreSQL")) return new PostgresDialect();
            if (product.contains("H2")) return new H2Dialect();
            throw new IllegalArgumentException("database '" + product + "' is not supported: expected PostgreSQL or H2");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot connect to the Millrace database: " + e.getMessage(), e);
        }
    }

    private void migrate(String schema, boolean apply) {
        var config = Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:dev/millrace/migration/" + dialect.name())
                .table("mr_schema_history")
                .baselineOnMigrate(true)
                .baselineVersion("0");
        if (schema != null) config.schemas(schema).defaultSchema(schema);
        Flyway flyway = config.load();
        if (apply) {
            flyway.migrate();
            return;
        }
        MigrationInfo[] pending = flyway.info().pending();
        if (pending.length > 0) {
            throw new IllegalStateException("the Millrace schema is missing migrations "
                    + Arrays.stream(pending).map(m -> m.getVersion().getVersion()).collect(Collectors.joining(", "))
                    + ": expected an up-to-date schema, or build the node with migrate(true)");
        }
    }

    /** The job store. */
    public JobStore jobs() {
        return jobs;
    }

    /** The tenant store. */
    public TenantStore tenants() {
        return tenants;
    }

    /** The batch store. */
    public BatchStore batches() {
        return batches;
    }

    /** The cursor store. */
    public CursorStore cursors() {
        return cursors;
    }

    /** The feature flag store. */
    public FlagStore flags() {
        return flags;
    }

    /** The API key store. */
    public ApiKeyStore apiKeys() {
        return apiKeys;
    }

    /** Monitoring figures over the job table. */
    public StatsStore stats() {
        return stats;
    }

    /** The schedule store. */
    public ScheduleStore schedules() {
        return schedules;
    }

    /** The fair dispatch store: ready counts, capped lanes, the daily allocation. */
    public dev.millrace.internal.store.FairStore fair() {
        return fair;
    }

    /** The leader lock for services only one node should run at a time. */
    public LeaderLock leaderLock() {
        return leaderLock;
    }

    /** The data source, for executions' own transactions. */
    public DataSource dataSource() {
        return dataSource;
    }

    /** Whether other nodes can wake this one when jobs are enqueued (PostgreSQL's LISTEN/NOTIFY). */
    public boolean supportsListenNotify() {
        return dialect.supportsListenNotify();
    }

    /**
     * A listener for ready jobs committed by any node; start it, then close it. Notifications received together that
     * name their tenants call {@code onTenants} once with all of them; when one names none, {@code onAny} is called
     * instead (any tenant may have ready work).
     */
    public PgListener listener(Consumer<Set<TenantId>> onTenants, Runnable onAny) {
        if (!dialect.supportsListenNotify()) {
            throw new IllegalStateException("database " + dialect.name() + " has no LISTEN/NOTIFY");
        }
        return new PgListener(dataSource, tables.readyChannel(), payloads -> {
            Set<TenantId> all = new LinkedHashSet<>();
            for (String p : payloads) {
                Set<TenantId> named = ReadyNotice.tenants(p);
                if (named == null) {
                    onAny.run();
                    return;
                }
                all.addAll(named);
            }
            onTenants.accept(all);
        }, notifier);
    }

    @Override
    public String toString() {
        return "SqlStore[" + dialect.name() + ", " + description + "]";
    }

    @Override
    public void close() {
        if (notifier != null) notifier.close();
        if (eventNotifier != null) eventNotifier.close();
        if (ownsDataSource && dataSource instanceof HikariDataSource pool) pool.close();
    }
}
