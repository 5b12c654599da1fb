package dev.millrace.batch;

import dev.millrace.JobId;
import dev.millrace.JobRecord;
import dev.millrace.JobStatus;
import dev.millrace.Millrace;
import dev.millrace.TenantId;
import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import dev.millrace.testing.TestDatabase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A query source is streamed through the node and cut into chunks whether it runs on the Millrace database or on
 * an application data source: chunks hold the same records, values, types and labels either way.
 */
class BatchQueryCutTest extends DatabaseTest {
    static final TenantId ACME = TenantId.of("acme");
    static final Map<String, List<String>> SEEN = new ConcurrentHashMap<>();

    /** Notes every record it is given, with each value's class. */
    public static class Notes implements Batchable<Row> {
        String tag;
        String dataSource;
        String sql;

        Notes() {
        }

        Notes(String tag, String dataSource, String sql) {
            this.tag = tag;
            this.dataSource = dataSource;
            this.sql = sql;
        }

        @Override
        public BatchSource.Query start(BatchContext ctx) {
            return dataSource == null ? BatchSource.query(sql, 0) : BatchSource.query(dataSource, sql, 0);
        }

        @Override
        public void execute(BatchContext ctx, List<Row> scope) {
            List<String> out = SEEN.computeIfAbsent(tag, k -> java.util.Collections.synchronizedList(new ArrayList<>()));
            for (Row r : scope) {
                StringBuilder sb = new StringBuilder(r.columns().toString());
                for (int i = 0; i < r.columns().size(); i++) {
                    Object v = r.get(i);
                    sb.append(" | ").append(v == null ? "null" : v.getClass().getSimpleName() + ":" + v);
                }
                out.add(sb.toString());
            }
        }

        @Override
        public void finish(BatchContext ctx) {
        }
    }

    /** The same database behind another DataSource object: an application data source, not the store's own. */
    private static DataSource elsewhere(DataSource ds) {
        return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    try {
                        return method.invoke(ds, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void chunksHoldTheSameRecordsOnTheMillraceDatabaseAndOnAnApplicationDataSource(Db db) {
        SEEN.clear();
        TestDatabase d = database(db);
        Millrace m = node(builder(db).applicationDataSource("same", elsewhere(d.dataSource()))
                .pollInterval(Duration.ofMillis(50)).register(Notes.class));
        tenants(m, ACME);
        String table = "\"" + d.schema() + "\".cut_item";
        d.execute("DROP TABLE IF EXISTS " + table);
        d.execute("CREATE TABLE " + table + " (id BIGINT PRIMARY KEY, small INT, amount DECIMAL(14, 4), name VARCHAR(60),"
                + " note TEXT, flag BOOLEAN, ref UUID)");
        d.execute("INSERT INTO " + table + " VALUES (1, 7, 12.5000, 'plain', 'a \"quoted\" \\ back\nslash', TRUE,"
                + " '0190c0de-0000-7000-8000-000000000001'), (2, NULL, NULL, NULL, NULL, NULL, NULL),"
                + " (3, -1, -0.0001, 'ünïcødé ✓', '', FALSE, '0190c0de-0000-7000-8000-000000000003')");
        for (int i = 4; i <= 25; i++) {
            d.execute("INSERT INTO " + table + " VALUES (" + i + ", " + i + ", " + i + ".25, 'n" + i + "', 't', TRUE, NULL)");
        }
        m.start();
        String sql = "SELECT id, small AS \"Small\", amount, name, note, flag, ref FROM " + table + " WHERE id > ? ORDER BY id";

        JobId inStore = m.executeBatch(ACME, new Notes("store", null, sql), 4);
        JobId streamed = m.executeBatch(ACME, new Notes("streamed", "same", sql), 4);
        for (JobId id : List.of(inStore, streamed)) {
            JobRecord j = await().atMost(Duration.ofSeconds(60)).until(() -> m.jobs().find(ACME, id).orElseThrow(),
                    r -> r.status().isTerminal());
            assertThat(j.status()).isEqualTo(JobStatus.COMPLETED);
            assertThat(j.totalJobItems()).as("25 rows in chunks of 4").isEqualTo(7);
            assertThat(m.batches().chunks(ACME, id)).hasSize(7).allSatisfy(c -> assertThat(c.status())
                    .isEqualTo(JobStatus.COMPLETED));
        }
        assertThat(SEEN.get("store")).hasSize(25);
        assertThat(new java.util.TreeSet<>(SEEN.get("store"))).isEqualTo(new java.util.TreeSet<>(SEEN.get("streamed")));
        assertThat(SEEN.get("store")).anySatisfy(s -> assertThat(s).contains("String:a \"quoted\" \\ back\nslash")
                .contains("Boolean:true").contains("UUID:0190c0de-0000-7000-8000-000000000001").contains("Long:1")
                .contains("BigDecimal:12.5000"));
        assertThat(SEEN.get("store")).anySatisfy(s -> assertThat(s).contains("ünïcødé ✓"));
        assertThat(SEEN.get("store").get(0)).as("labels as the query gives them").startsWithIgnoringCase(
                "[id, Small, amount, name, note, flag, ref]").contains("Small");
    }
}
