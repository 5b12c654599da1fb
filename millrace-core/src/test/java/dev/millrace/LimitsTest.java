package dev.millrace;

import com.sun.net.httpserver.HttpServer;
import dev.millrace.limits.Limit;
import dev.millrace.limits.LimitException;
import dev.millrace.limits.LimitProfile;
import dev.millrace.limits.Limits;
import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Arrays;
import java.util.stream.Stream;

import static dev.millrace.testing.Jobs.awaitTerminal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Governor limits: each exceeded in both profiles, not swallowable, rolled back, contained to its execution. */
class LimitsTest extends DatabaseTest {
    static final TenantId ACME = TenantId.of("acme");
    static final TenantId SMALL = TenantId.of("small");
    private static HttpServer http;
    private static String url;
    private static String slowUrl;

    @BeforeAll
    static void startHttp() throws Exception {
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/ok", x -> {
            byte[] body = "ok".getBytes();
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        http.createContext("/slow", x -> {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            x.sendResponseHeaders(200, -1);
            x.close();
        });
        http.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        http.start();
        url = "http://127.0.0.1:" + http.getAddress().getPort() + "/ok";
        slowUrl = "http://127.0.0.1:" + http.getAddress().getPort() + "/slow";
    }

    @AfterAll
    static void stopHttp() {
        http.stop(0);
    }

    @BeforeEach
    void clear() {
        LimitJobs.SEEN.clear();
    }

    /** Small budgets for tenant SMALL, so each limit is reached quickly; the defaults are tested separately. */
    static TenantPolicy smallBudgets() {
        LimitProfile sync = LimitProfile.SYNC;
        LimitProfile async = LimitProfile.ASYNC;
        long[][] budgets = {
                {Limit.QUERIES.ordinal(), 3}, {Limit.QUERY_ROWS.ordinal(), 5}, {Limit.DML_STATEMENTS.ordinal(), 3},
                {Limit.DML_ROWS.ordinal(), 5}, {Limit.CPU_TIME.ordinal(), 500}, {Limit.HEAP_SIZE.ordinal(), 32L << 20},
                {Limit.CALLOUTS.ordinal(), 5}, {Limit.CALLOUT_TIME.ordinal(), 2000}, {Limit.PUBLISH_IMMEDIATE.ordinal(), 2},
                {Limit.EMAILS.ordinal(), 2}, {Limit.WALL_CLOCK.ordinal(), 8000}};
        for (long[] b : budgets) {
            sync = sync.with(Limit.values()[(int) b[0]], b[1]);
            async = async.with(Limit.values()[(int) b[0]], b[1]);
        }
        return TenantPolicy.DEFAULTS.withLimits(sync, async).withEnqueueLimits(2, 1, 2);
    }

    private Millrace node(Db db) throws Exception {
        Millrace m = started(builder(db).register(LimitJobs.Exceed.class).register(LimitJobs.Queries.class)
                .register(TestJobs.Record.class).registerFutures(LimitJobs.Noop.class));
        LimitJobs.MILLRACE.set(m);
        m.tenants().create(ACME);
        m.tenants().put(SMALL, smallBudgets());
        LimitJobs.TABLE = "\"" + database(db).schema() + "\".lim_rows";
        try (Connection c = database(db).dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS " + LimitJobs.TABLE + " (tag VARCHAR(100))");
            s.execute("DELETE FROM " + LimitJobs.TABLE);
        }
        return m;
    }

    static Stream<Arguments> everyLimitOnBothDatabases() {
        // Cursor fetch calls have their budget in the cursor policy; CursorTest exceeds them the same way.
        return Arrays.stream(Db.values()).flatMap(db -> Arrays.stream(Limit.values())
                .filter(l -> l != Limit.CURSOR_FETCHES).map(l -> Arguments.of(db, l)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyLimitOnBothDatabases")
    void exceedingALimitFailsTheExecutionEvenWhenCaughtAndRollsItBack(Db db, Limit limit) throws Exception {
        Millrace m = node(db);
        String target = limit == Limit.CALLOUT_TIME ? slowUrl : url;

        // Synchronous profile: runSynchronously ends with the limit although the code swallowed it.
        assertThatThrownBy(() -> m.runSynchronously(SMALL, e -> {
            LimitJobs.exceed(e, limit, "sync", target, true);
            return "swallowed";
        })).isInstanceOfSatisfying(LimitException.class, x -> {
            assertThat(x.limit()).isEqualTo(limit);
            assertThat(x.usage()).isGreaterThan(x.budget());
            assertThat(x.budget()).isEqualTo(expectedBudget(limit, true));
        });
        assertThat(rows(db, "sync")).as("the synchronous execution's work is rolled back").isZero();

        // Asynchronous profile: the job fails although it swallowed the exception.
        JobId id = m.enqueue(SMALL, new LimitJobs.Exceed(limit, "async", target, true));
        JobRecord job = awaitTerminal(m, SMALL, id);
        assertThat(job.status()).isEqualTo(JobStatus.FAILED);
        assertThat(job.extendedStatus()).contains("LimitException");
        assertThat(rows(db, "async")).as("the job's work is rolled back").isZero();
        assertThat(m.jobs().find(JobQuery.forTenant(SMALL).parent(id).build()).jobs()).as("no child survives").isEmpty();
        assertThat(m.jobs().log(SMALL, id)).anySatisfy(e -> assertThat(e.message()).contains("LimitException"));
    }

    private static long expectedBudget(Limit limit, boolean sync) {
        TenantPolicy p = smallBudgets();
        return switch (limit) {
            case QUEUEABLE_JOBS -> sync ? p.enqueuePerSyncExecution() : p.enqueuePerAsyncExecution();
            case FUTURE_CALLS -> p.futuresPerExecution();
            default -> (sync ? p.syncLimits() : p.asyncLimits()).budget(limit);
        };
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void theMessageNamesTheLimitTheBudgetAndTheUsage(Db db) throws Exception {
        Millrace m = node(db);
        assertThatThrownBy(() -> m.runSynchronously(SMALL, e -> {
            LimitJobs.exceed(e, Limit.QUERIES, "sync", url, false);
            return null;
        })).isInstanceOf(LimitException.class)
                .hasMessage("governor limit exceeded: queries 4 (budget 3 per sync execution, limit QUERIES)");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void defaultProfilesHaveTheSpecNumbers(Db db) throws Exception {
        Millrace m = node(db);
        assertThat(LimitProfile.ASYNC.budget(Limit.WALL_CLOCK)).isEqualTo(600_000);
        // 200 queries are within the async budget; 201 are not.
        JobId ok = m.enqueue(ACME, new LimitJobs.Queries(200, "200"));
        assertThat(awaitTerminal(m, ACME, ok).status()).isEqualTo(JobStatus.COMPLETED);
        assertThat((long[]) LimitJobs.SEEN.get("200")).containsExactly(200, 200);
        assertThat(LimitJobs.SEEN.get("200.profile")).isEqualTo("async");
        JobId over = m.enqueue(ACME, new LimitJobs.Queries(201, "201"));
        assertThat(awaitTerminal(m, ACME, over).extendedStatus()).contains("queries 201 (budget 200 per async execution");
        // The synchronous budget is 100.
        assertThatThrownBy(() -> m.runSynchronously(ACME, e -> {
            assertThat(e.limits().getLimitQueries()).isEqualTo(100);
            assertThat(e.limits().getLimitCpuTime()).isEqualTo(10_000);
            assertThat(e.limits().getLimitHeapSize()).isEqualTo(6L << 20);
            assertThat(e.limits().getLimitQueueableJobs()).isEqualTo(50);
            assertThat(e.limits().budget(Limit.WALL_CLOCK)).as("10 minutes, SPEC LIM-1").isEqualTo(600_000);
            for (int i = 0; i < 101; i++) {
                try (Statement s = e.connection().createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
                    rs.next();
                }
            }
            return null;
        })).isInstanceOfSatisfying(LimitException.class, x -> assertThat(x.usage()).isEqualTo(101));
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void theLimitsApiCountsQueriesRowsAndDml(Db db) throws Exception {
        Millrace m = node(db);
        Limits after = m.runSynchronously(ACME, e -> {
            try (PreparedStatement ps = e.connection().prepareStatement("INSERT INTO " + LimitJobs.TABLE + " (tag) VALUES (?)")) {
                for (int i = 0; i < 3; i++) {
                    ps.setString(1, "api");
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            try (Statement s = e.connection().createStatement();
                 ResultSet rs = s.executeQuery("SELECT tag FROM " + LimitJobs.TABLE + " WHERE tag = 'api'")) {
                while (rs.next()) {
                    rs.getString(1);
                }
            }
            return e.limits();
        });
        assertThat(after.getDmlStatements()).isEqualTo(1);
        assertThat(after.getDmlRows()).isEqualTo(3);
        assertThat(after.getQueries()).isEqualTo(1);
        assertThat(after.getQueryRows()).isEqualTo(3);
        assertThat(after.profile()).isEqualTo("sync");
        assertThat(rows(db, "api")).as("a synchronous execution commits when it returns").isEqualTo(3);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void theEngineOwnsTheTransaction(Db db) throws Exception {
        Millrace m = node(db);
        assertThatThrownBy(() -> m.runSynchronously(ACME, e -> {
            e.connection().commit();
            return null;
        })).isInstanceOf(IllegalStateException.class).hasMessageContaining("Connection.commit is not allowed");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aSpinningJobIsStoppedWhileOthersRunToCompletion(Db db) throws Exception {
        Millrace m = node(db);
        JobId spinner = m.enqueue(SMALL, new LimitJobs.Exceed(Limit.CPU_TIME, "spin", url, false));
        JobId[] others = new JobId[5];
        for (int i = 0; i < others.length; i++) others[i] = m.enqueue(SMALL, new LimitJobs.Queries(3, "other" + i));
        JobRecord spun = awaitTerminal(m, SMALL, spinner);
        assertThat(spun.status()).isEqualTo(JobStatus.FAILED);
        assertThat(spun.extendedStatus()).contains("CPU time");
        for (JobId o : others) assertThat(awaitTerminal(m, SMALL, o).status()).isEqualTo(JobStatus.COMPLETED);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void partialPolicyOverridesKeepTheOtherDefaults(Db db) throws Exception {
        Millrace m = node(db);
        TenantPolicy p = m.tenants().put(TenantId.of("custom"), TenantPolicy.DEFAULTS.withLimits(LimitProfile.SYNC,
                LimitProfile.ASYNC.with(Limit.QUERIES, 500)));
        assertThat(m.tenants().policy(TenantId.of("custom")).orElseThrow()).isEqualTo(p);
        assertThatThrownBy(() -> LimitProfile.ASYNC.with(Limit.QUERIES, -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("limit profile queries = -1 is out of range: expected 0 or more");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aStoredPolicyWithSomeLimitKeysKeepsTheDefaultsForTheRest(Db db) throws Exception {
        Millrace m = node(db);
        TenantId old = TenantId.of("old");
        m.tenants().create(old);
        try (Connection c = database(db).dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE \"" + database(db).schema() + "\".mr_tenant SET policy = ? WHERE tenant_id = 'old'")) {
            ps.setString(1, "{\"jobRetentionDays\": 3, \"asyncLimits\": {\"queries\": 7}}");
            ps.executeUpdate();
        }
        TenantPolicy p = m.tenants().policy(old).orElseThrow();
        assertThat(p.asyncLimits()).isEqualTo(LimitProfile.ASYNC.with(Limit.QUERIES, 7));
        assertThat(p.syncLimits()).isEqualTo(LimitProfile.SYNC);
        assertThat(p.jobRetentionDays()).isEqualTo(3);
    }

    private long rows(Db db, String tag) throws Exception {
        try (Connection c = database(db).dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM " + LimitJobs.TABLE + " WHERE tag = ?")) {
            ps.setString(1, tag);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
