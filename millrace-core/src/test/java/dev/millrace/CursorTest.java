package dev.millrace;

import dev.millrace.cursor.Cursor;
import dev.millrace.cursor.CursorExpiredException;
import dev.millrace.cursor.CursorNotFoundException;
import dev.millrace.cursor.CursorPolicy;
import dev.millrace.cursor.CursorRow;
import dev.millrace.limits.LimitException;
import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import dev.millrace.testing.MutableClock;
import dev.millrace.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Cursors: a fixed, paged copy of a query's result, readable anywhere and across executions until it expires. */
class CursorTest extends DatabaseTest {
    static final TenantId ACME = TenantId.of("acme");
    static final TenantId GLOBEX = TenantId.of("globex");
    static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    /** What test jobs saw: a cursor, rows, or the exception they caught. */
    static final Map<String, Object> SEEN = new ConcurrentHashMap<>();

    /** Opens a cursor on the Millrace database (or a named application data source) and keeps it in SEEN. */
    static class Open implements Queueable {
        String key;
        String dataSource;
        String sql;
        List<Object> params;

        Open() {
        }

        Open(String key, String dataSource, String sql, Object... params) {
            this.key = key;
            this.dataSource = dataSource;
            this.sql = sql;
            this.params = List.of(params);
        }

        @Override
        public void execute(QueueableContext ctx) {
            try {
                SEEN.put(key, dataSource == null ? ctx.cursor(sql, params.toArray())
                        : ctx.cursorOn(dataSource, sql, params.toArray()));
            } catch (RuntimeException e) {
                SEEN.put(key, e);
            }
        }
    }

    /** Reopens a cursor by id in a later execution and fetches from it. */
    static class Fetch implements Queueable {
        String key;
        UUID cursorId;
        List<long[]> reads;

        Fetch() {
        }

        Fetch(String key, UUID cursorId, long[]... reads) {
            this.key = key;
            this.cursorId = cursorId;
            this.reads = List.of(reads);
        }

        @Override
        public void execute(QueueableContext ctx) {
            try {
                Cursor c = ctx.cursor(cursorId);
                SEEN.put(key + ".numRecords", c.numRecords());
                for (int i = 0; i < reads.size(); i++) {
                    SEEN.put(key + "." + i, c.fetch(reads.get(i)[0], (int) reads.get(i)[1]));
                }
            } catch (RuntimeException e) {
                SEEN.put(key, e);
            }
        }
    }

    /** Fetches through a cursor kept in its own state (the value, not the id), the same chunk many times. */
    static class FetchKept implements Queueable {
        String key;
        Cursor cursor;
        int times;
        int count;

        FetchKept() {
        }

        FetchKept(String key, Cursor cursor, int times, int count) {
            this.key = key;
            this.cursor = cursor;
            this.times = times;
            this.count = count;
        }

        @Override
        public void execute(QueueableContext ctx) {
            try {
                for (int i = 0; i < times; i++) SEEN.put(key + "." + i, cursor.fetch(0, count));
            } catch (RuntimeException e) {
                SEEN.put(key, e);
            }
        }
    }

    /** Fetches through a kept cursor and notes what the governor limits counted. */
    static class FetchCounted implements Queueable {
        String key;
        Cursor cursor;
        int times;
        int count;

        FetchCounted() {
        }

        FetchCounted(String key, Cursor cursor, int times, int count) {
            this.key = key;
            this.cursor = cursor;
            this.times = times;
            this.count = count;
        }

        @Override
        public void execute(QueueableContext ctx) {
            try {
                for (int i = 0; i < times; i++) cursor.fetch(i * count, count);
            } catch (RuntimeException e) {
                SEEN.put(key + ".error", e); // swallowed: the limit must end the execution all the same
            }
            SEEN.put(key, new long[] {ctx.limits().getCursorFetches(), ctx.limits().getLimitCursorFetches(),
                    ctx.limits().getQueries(), ctx.limits().getQueryRows()});
        }
    }

    private MutableClock clock;

    private Millrace node(Db db) {
        return node(db, builder(db));
    }

    private Millrace node(Db db, Millrace.Builder builder) {
        SEEN.clear();
        clock = new MutableClock(T0);
        Millrace m = node(builder.clock(clock).register(Open.class).register(Fetch.class).register(FetchKept.class)
                .register(FetchCounted.class));
        TestDatabase d = database(db);
        for (String t : new String[] {"mr_cursor", "mr_cursor_page", "mr_cursor_usage", "mr_cursor_policy"}) {
            d.execute("DELETE FROM " + q(db, t));
        }
        d.execute("DROP TABLE IF EXISTS " + q(db, "item"));
        d.execute("CREATE TABLE " + q(db, "item") + " (id BIGINT PRIMARY KEY, name VARCHAR(50), amount DECIMAL(12, 2),"
                + " seen_at TIMESTAMP WITH TIME ZONE, active BOOLEAN, ref UUID)");
        d.execute("INSERT INTO " + q(db, "item") + " (id, name, amount, seen_at, active, ref) SELECT x, 'item ' || x,"
                + " x * 1.25, TIMESTAMP WITH TIME ZONE '2026-01-01 00:00:00+00', MOD(x, 2) = 0, NULL FROM "
                + (db == Db.H2 ? "SYSTEM_RANGE(1, 2500)" : "generate_series(1, 2500) AS s(x)"));
        tenants(m, ACME, GLOBEX);
        return m;
    }

    private String q(Db db, String table) {
        return "\"" + database(db).schema() + "\"." + table;
    }

    private String items(Db db) {
        return "SELECT id, name, amount, seen_at, active, ref FROM " + q(db, "item") + " WHERE id > ? ORDER BY id";
    }

    private void run(Millrace m, TenantId tenant, Queueable job) {
        JobId id = m.enqueue(tenant, job);
        assertThat(m.runJob(tenant, id)).isTrue();
    }

    @SuppressWarnings("unchecked")
    private static List<CursorRow> rows(String key) {
        Object v = SEEN.get(key);
        if (v instanceof RuntimeException e) throw new AssertionError("the job failed: " + e, e);
        return (List<CursorRow>) v;
    }

    private Cursor open(Millrace m, Db db) {
        run(m, ACME, new Open("c", null, items(db), 0));
        Object c = SEEN.get("c");
        if (c instanceof RuntimeException e) throw new AssertionError("open failed: " + e, e);
        return (Cursor) c;
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void rowsAddedChangedOrDeletedAfterOpenDoNotShiftPositionsOrValues(Db db) {
        Millrace m = node(db);
        Cursor cursor = open(m, db);
        assertThat(cursor.numRecords()).isEqualTo(2500);

        database(db).execute("INSERT INTO " + q(db, "item") + " (id, name) VALUES (0, 'new first'), (9999, 'new last')");
        database(db).execute("UPDATE " + q(db, "item") + " SET name = 'changed', amount = 0 WHERE id <= 1500");
        database(db).execute("DELETE FROM " + q(db, "item") + " WHERE MOD(id, 3) = 0");

        run(m, ACME, new Fetch("f", cursor.id(), new long[] {0, 3}, new long[] {990, 20}, new long[] {2498, 10},
                new long[] {1234, 1}, new long[] {0, 3}));
        assertThat(SEEN.get("f.numRecords")).isEqualTo(2500L);
        List<CursorRow> first = rows("f.0");
        assertThat(first).extracting(r -> r.getLong("id")).containsExactly(1L, 2L, 3L);
        CursorRow one = first.get(0);
        assertThat(one.getString("name")).isEqualTo("item 1");
        assertThat(one.getBigDecimal("amount")).isEqualByComparingTo(new BigDecimal("1.25"));
        assertThat(one.getInstant("seen_at")).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(one.get("active")).isEqualTo(false);
        assertThat(one.get("ref")).isNull();
        assertThat(one.columns()).containsExactly("id", "name", "amount", "seen_at", "active", "ref");
        // Across a page boundary (pages hold 1000 rows), at the end (fewer than asked), and anywhere, again.
        assertThat(rows("f.1")).extracting(r -> r.getLong("id")).containsExactlyElementsOf(
                java.util.stream.LongStream.rangeClosed(991, 1010).boxed().toList());
        assertThat(rows("f.1")).extracting(r -> r.getString("name")).allMatch(n -> n.startsWith("item "));
        assertThat(rows("f.2")).extracting(r -> r.getLong("id")).containsExactly(2499L, 2500L);
        assertThat(rows("f.3")).singleElement().satisfies(r -> {
            assertThat(r.getLong("id")).isEqualTo(1235L);
            assertThat(r.getBigDecimal("amount")).isEqualByComparingTo(new BigDecimal("1543.75"));
        });
        assertThat(rows("f.4")).extracting(CursorRow::toString).isEqualTo(rows("f.0").stream().map(Object::toString).toList());
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aCursorKeptInJobStateIsReadInALaterExecution(Db db) {
        Millrace m = node(db);
        Cursor cursor = open(m, db);
        run(m, ACME, new FetchKept("k", cursor, 2, 5));
        assertThat(rows("k.0")).extracting(r -> r.getLong("id")).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(rows("k.1")).extracting(r -> r.getLong("id")).containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aCursorOpenedOnOneNodeIsReadOnAnother(Db db) {
        Millrace m = node(db);
        Cursor cursor = open(m, db);
        Millrace other = node(builder(db).clock(clock).register(Fetch.class));
        JobId id = other.enqueue(ACME, new Fetch("f", cursor.id(), new long[] {1999, 2}));
        assertThat(other.runJob(ACME, id)).isTrue();
        assertThat(rows("f.0")).extracting(r -> r.getLong("id")).containsExactly(2000L, 2001L);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void anEmptyResultIsACursorOfNoRows(Db db) {
        Millrace m = node(db);
        run(m, ACME, new Open("c", null, items(db), 1_000_000));
        Cursor c = (Cursor) SEEN.get("c");
        assertThat(c.numRecords()).isZero();
        run(m, ACME, new Fetch("f", c.id(), new long[] {0, 10}));
        assertThat(rows("f.0")).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void badPositionsAndCountsAreRefused(Db db) {
        Millrace m = node(db);
        Cursor cursor = open(m, db);
        run(m, ACME, new Fetch("beyond", cursor.id(), new long[] {2501, 1}));
        assertThat(SEEN.get("beyond")).isInstanceOf(IllegalArgumentException.class).asString()
                .contains("cannot fetch 1 rows at position 2501").contains("expected a count of 0 or more and a position from 0 to 2500");
        run(m, ACME, new Fetch("negative", cursor.id(), new long[] {-1, 1}));
        assertThat(SEEN.get("negative")).isInstanceOf(IllegalArgumentException.class);
        run(m, ACME, new Fetch("count", cursor.id(), new long[] {0, -5}));
        assertThat(SEEN.get("count")).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void unknownCursorsAndOtherTenantsCursorsAreNotFound(Db db) {
        Millrace m = node(db);
        UUID unknown = UUID.randomUUID();
        run(m, ACME, new Fetch("unknown", unknown, new long[] {0, 1}));
        assertThat(SEEN.get("unknown")).isInstanceOf(CursorNotFoundException.class).asString()
                .contains("cursor " + unknown + " does not exist in tenant 'acme'");
        Cursor cursor = open(m, db);
        run(m, GLOBEX, new Fetch("other", cursor.id(), new long[] {0, 1}));
        assertThat(SEEN.get("other")).isInstanceOf(CursorNotFoundException.class).asString()
                .contains("does not exist in tenant 'globex'");
        run(m, GLOBEX, new FetchKept("kept", cursor, 1, 1));
        assertThat(SEEN.get("kept")).isInstanceOf(CursorNotFoundException.class);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aCursorExpiresAfterItsLifetimeAndIsPruned(Db db) {
        Millrace m = node(db);
        Cursor cursor = open(m, db);
        assertThat(cursor.expiresAt()).isEqualTo(T0.plus(Duration.ofHours(48)));
        clock.advance(Duration.ofHours(47));
        run(m, ACME, new Fetch("alive", cursor.id(), new long[] {0, 1}));
        assertThat(rows("alive.0")).hasSize(1);
        clock.advance(Duration.ofHours(1));
        run(m, ACME, new Fetch("expired", cursor.id(), new long[] {0, 1}));
        assertThat(SEEN.get("expired")).isInstanceOf(CursorExpiredException.class).asString()
                .contains("cursor " + cursor.id() + " of tenant 'acme' expired at 2026-03-03T10:00:00Z");
        run(m, ACME, new FetchKept("keptExpired", cursor, 1, 1));
        assertThat(SEEN.get("keptExpired")).isInstanceOf(CursorExpiredException.class);

        // The pruner (a started node's background service) deletes it with its pages; the kept value still says expired.
        Millrace started = node(builder(db).clock(clock).pruneInterval(Duration.ofSeconds(1)).register(FetchKept.class))
                .start();
        await().atMost(Duration.ofSeconds(30)).until(() -> database(db).queryLong("SELECT COUNT(*) FROM " + q(db, "mr_cursor_page")) == 0
                && database(db).queryLong("SELECT COUNT(*) FROM " + q(db, "mr_cursor")) == 0);
        started.close();
        run(m, ACME, new FetchKept("pruned", cursor, 1, 1));
        assertThat(SEEN.get("pruned")).isInstanceOf(CursorExpiredException.class);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aResultLargerThanTheTenantsMaximumIsRefusedAndLeavesNothing(Db db) {
        Millrace m = node(db);
        m.cursors().putPolicy(ACME, CursorPolicy.DEFAULTS.withMaxRows(2000));
        assertThat(m.cursors().policy(ACME).maxRows()).isEqualTo(2000);
        run(m, ACME, new Open("c", null, items(db), 0));
        assertThat(SEEN.get("c")).isInstanceOf(LimitException.class).asString()
                .contains("cursor query returned more than 2000 rows (limit 2000 rows per cursor, cursor policy maxRows)");
        assertThat(database(db).queryLong("SELECT COUNT(*) FROM " + q(db, "mr_cursor_page"))).isZero();
        assertThat(database(db).queryLong("SELECT COUNT(*) FROM " + q(db, "mr_cursor"))).isZero();
        run(m, ACME, new Open("c2", null, items(db), 500));
        assertThat(((Cursor) SEEN.get("c2")).numRecords()).isEqualTo(2000);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void fetchesAndRowsPerExecutionAreLimited(Db db) {
        Millrace m = node(db);
        m.cursors().putPolicy(ACME, CursorPolicy.DEFAULTS.withPerExecution(3, 50));
        Cursor cursor = open(m, db);
        run(m, ACME, new FetchKept("calls", cursor, 4, 1));
        assertThat(rows("calls.2")).hasSize(1);
        assertThat(SEEN.get("calls")).isInstanceOf(LimitException.class).asString()
                .contains("too many cursor fetch calls: 4 (limit 3 per execution, cursor policy fetchesPerExecution)");
        run(m, ACME, new FetchKept("rows", cursor, 3, 20));
        assertThat(SEEN.get("rows")).isInstanceOf(LimitException.class).asString()
                .contains("too many cursor rows fetched: 60 (limit 50 per execution, cursor policy rowsPerExecution)");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void fetchesCountThroughTheGovernorLimitsAsCursorFetchesQueriesAndQueryRows(Db db) {
        Millrace m = node(db);
        m.cursors().putPolicy(ACME, CursorPolicy.DEFAULTS.withPerExecution(7, 50_000));
        Cursor cursor = open(m, db);
        JobId id = m.enqueue(ACME, new FetchCounted("counted", cursor, 3, 40));
        assertThat(m.runJob(ACME, id)).isTrue();
        assertThat(m.jobs().find(ACME, id).orElseThrow().status()).isEqualTo(JobStatus.COMPLETED);
        long[] seen = (long[]) SEEN.get("counted");
        assertThat(seen[0]).as("cursor fetch calls").isEqualTo(3);
        assertThat(seen[1]).as("their budget: the tenant's cursor policy").isEqualTo(7);
        assertThat(seen[2]).as("each fetch is a query").isGreaterThanOrEqualTo(3);
        assertThat(seen[3]).as("its rows are query rows").isGreaterThanOrEqualTo(120);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aCursorFetchLimitBreachFailsTheExecutionEvenWhenCaught(Db db) {
        Millrace m = node(db);
        m.cursors().putPolicy(ACME, CursorPolicy.DEFAULTS.withPerExecution(2, 50_000));
        Cursor cursor = open(m, db);
        JobId id = m.enqueue(ACME, new FetchCounted("over", cursor, 3, 10));
        assertThat(m.runJob(ACME, id)).isTrue();
        assertThat(SEEN.get("over.error")).isInstanceOf(LimitException.class).asString()
                .contains("too many cursor fetch calls: 3 (limit 2 per execution, cursor policy fetchesPerExecution)");
        dev.millrace.JobRecord job = m.jobs().find(ACME, id).orElseThrow();
        assertThat(job.status()).isEqualTo(JobStatus.FAILED);
        assertThat(job.extendedStatus()).contains("too many cursor fetch calls: 3");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void cursorRowsOverTheQueryRowLimitFailTheExecution(Db db) {
        Millrace m = node(db);
        m.tenants().put(ACME, dev.millrace.TenantPolicy.DEFAULTS.withLimits(dev.millrace.limits.LimitProfile.SYNC,
                dev.millrace.limits.LimitProfile.ASYNC.with(dev.millrace.limits.Limit.QUERY_ROWS, 100)));
        Cursor cursor = open(m, db);
        JobId id = m.enqueue(ACME, new FetchCounted("rows", cursor, 3, 40));
        assertThat(m.runJob(ACME, id)).isTrue();
        assertThat(SEEN.get("rows.error")).isInstanceOf(LimitException.class);
        assertThat(((LimitException) SEEN.get("rows.error")).limit()).isEqualTo(dev.millrace.limits.Limit.QUERY_ROWS);
        assertThat(m.jobs().find(ACME, id).orElseThrow().status()).isEqualTo(JobStatus.FAILED);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void dailyAllocationsOfCursorsAndRowsAreLimited(Db db) {
        Millrace m = node(db);
        m.cursors().putPolicy(ACME, CursorPolicy.DEFAULTS.withPerDay(1, 30));
        Cursor cursor = open(m, db);
        run(m, ACME, new Open("second", null, items(db), 0));
        assertThat(SEEN.get("second")).isInstanceOf(LimitException.class).asString()
                .contains("too many cursors opened by tenant 'acme': 2 in 24 hours (limit 1, cursor policy cursorsPerDay)");
        run(m, ACME, new FetchKept("a", cursor, 1, 20));
        run(m, ACME, new FetchKept("b", cursor, 1, 20));
        assertThat(SEEN.get("b")).isInstanceOf(LimitException.class).asString()
                .contains("too many cursor rows fetched by tenant 'acme': 40 in 24 hours (limit 30, cursor policy rowsPerDay)");
        // A day later the allocation is free again.
        clock.advance(Duration.ofHours(25));
        run(m, ACME, new FetchKept("c", cursor, 1, 20));
        assertThat(rows("c.0")).hasSize(20);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aCursorOverAnApplicationDataSourceAndAnUnknownOne(Db db) {
        Millrace m = node(db, builder(db).applicationDataSource("crm", database(db).dataSource()));
        run(m, ACME, new Open("c", "crm", items(db), 2400));
        assertThat(((Cursor) SEEN.get("c")).numRecords()).isEqualTo(100);
        run(m, ACME, new Open("bad", "billing", items(db), 0));
        assertThat(SEEN.get("bad")).isInstanceOf(IllegalArgumentException.class).asString()
                .contains("data source 'billing' is not registered: expected one of [crm]");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aFailingQueryNamesTheDatabasesReasonAndLeavesTheExecutionUsable(Db db) {
        Millrace m = node(db);
        JobId id = m.enqueue(ACME, new Open("c", null, "SELECT nope FROM " + q(db, "item")));
        m.runJob(ACME, id);
        assertThat(SEEN.get("c")).isInstanceOf(IllegalArgumentException.class).asString()
                .contains("cursor query failed:").contains("expected a valid SELECT");
        // The job caught it: the failed query rolled back to before itself, and the execution still commits.
        assertThat(m.jobs().find(ACME, id).orElseThrow().status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(database(db).queryLong("SELECT COUNT(*) FROM " + q(db, "mr_cursor"))).isZero();
    }

    @Test
    void policyValuesOutOfRangeAreRefused() {
        assertThatThrownBy(() -> CursorPolicy.DEFAULTS.withLifetimeHours(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cursor policy lifetimeHours = 0 is out of range: expected 1 to 8760");
    }

    @Test
    void fetchingOutsideAnExecutionIsRefused() {
        Cursor c = new Cursor(UUID.randomUUID(), ACME, 10, T0);
        assertThatThrownBy(() -> c.fetch(0, 1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("outside an execution");
    }
}
