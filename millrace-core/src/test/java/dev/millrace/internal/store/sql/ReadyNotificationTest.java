package dev.millrace.internal.store.sql;

import dev.millrace.JobType;
import dev.millrace.TenantId;
import dev.millrace.TenantPolicy;
import dev.millrace.internal.store.NewJob;
import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import dev.millrace.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What other nodes hear of an enqueue on PostgreSQL: one notification per insert call (or per transaction), after the
 * commit, naming the tenants with new ready jobs, on this schema's channel.
 */
class ReadyNotificationTest extends DatabaseTest {
    static final TenantId A = TenantId.of("a");
    static final TenantId B = TenantId.of("b");
    static final TenantId C = TenantId.of("c");
    /** How long a listener waits to be sure no (further) notification comes: a blocking read, not a sleep. */
    static final int QUIET_MS = 300;
    private final Instant t0 = Instant.now();
    private Connection listening;

    private SqlStore store() throws SQLException {
        TestDatabase d = database(Db.POSTGRES);
        // Listening as another node would, before the store looks whether anyone else listens (it notifies only then).
        String channel = Tables.in(d.schema()).readyChannel();
        listening = DriverManager.getConnection(TestDatabase.PG_URL, TestDatabase.PG_USER, "");
        try (Statement s = listening.createStatement()) {
            s.execute("LISTEN \"" + channel + "\"");
            s.execute("SET application_name = '" + PgNotifier.applicationName(channel) + "'");
        }
        SqlStore sql = closeAfter(SqlStore.open(d.dataSource(), null, null, null, null, d.schema(), 4, true));
        for (TenantId t : List.of(A, B, C)) sql.tenants().put(t, TenantPolicy.DEFAULTS, t0);
        return sql;
    }

    @AfterEach
    void stopListening() throws SQLException {
        if (listening != null) listening.close();
    }

    /** The payloads heard until nothing more arrives within {@link #QUIET_MS}. */
    private List<String> heard() throws SQLException {
        List<String> out = new ArrayList<>();
        PGConnection pg = listening.unwrap(PGConnection.class);
        for (PGNotification[] got = pg.getNotifications(QUIET_MS); got != null && got.length > 0;
             got = pg.getNotifications(QUIET_MS)) {
            for (PGNotification n : got) out.add(n.getParameter());
        }
        return out;
    }

    private static final java.util.concurrent.atomic.AtomicLong SEQ = new java.util.concurrent.atomic.AtomicLong();

    private NewJob job(TenantId tenant, Duration delay) {
        long seq = SEQ.incrementAndGet();
        UUID id = new UUID((t0.toEpochMilli() << 16) | 0x7000 | (seq & 0xFFF), 0x8000000000000000L | seq);
        return new NewJob(id, tenant, JobType.QUEUEABLE, "x.Job", null, "{}", null, 1, null, t0, t0.plus(delay), null,
                null, 0);
    }

    private List<NewJob> jobs(TenantId tenant, int n) {
        List<NewJob> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(job(tenant, Duration.ZERO));
        return out;
    }

    @Test
    void aBulkEnqueueSendsOneNotificationNamingItsTenant() throws SQLException {
        SqlStore sql = store();
        sql.jobs().insert(jobs(A, 500));
        assertThat(heard()).containsExactly("a");
    }

    @Test
    void aSingleEnqueueNamesItsTenantAndADelayedOneWakesNobody() throws SQLException {
        SqlStore sql = store();
        sql.jobs().insert(List.of(job(A, Duration.ZERO)));
        assertThat(heard()).containsExactly("a");
        sql.jobs().insert(List.of(job(B, Duration.ofMinutes(5))));
        assertThat(heard()).isEmpty();
    }

    @Test
    void overlappingSingleEnqueuesOfManyTenantsNameEveryTenant() throws Exception {
        // Alone, an enqueue carries its own NOTIFY; overlapping ones leave it to the notifier: every tenant is named.
        SqlStore sql = store();
        List<TenantId> tenants = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            TenantId t = TenantId.of("t" + i);
            sql.tenants().put(t, TenantPolicy.DEFAULTS, t0);
            tenants.add(t);
        }
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(8)) {
            List<java.util.concurrent.Future<?>> done = new ArrayList<>();
            for (TenantId t : tenants) {
                for (int k = 0; k < 3; k++) {
                    done.add(pool.submit(() -> sql.jobs().insert(List.of(job(t, Duration.ZERO)))));
                }
            }
            for (var f : done) f.get();
        }
        java.util.Set<String> named = new java.util.HashSet<>();
        for (String payload : heard()) {
            named.addAll(ReadyNotice.tenants(payload).stream().map(TenantId::value).toList());
        }
        assertThat(named).containsExactlyInAnyOrderElementsOf(tenants.stream().map(TenantId::value).toList());
    }

    @Test
    void anEnqueueOfSeveralTenantsNamesEachTenantWithReadyJobsOnce() throws SQLException {
        SqlStore sql = store();
        List<NewJob> mixed = new ArrayList<>(jobs(A, 3));
        mixed.addAll(jobs(B, 2));
        mixed.add(job(C, Duration.ofMinutes(5)));
        sql.jobs().insert(mixed);
        List<String> named = new ArrayList<>();
        for (String payload : heard()) {
            named.addAll(ReadyNotice.tenants(payload).stream().map(TenantId::value).toList());
        }
        // One NOTIFY, or two if the notifier sent the first tenant's before the second was asked for; C's job is
        // delayed, so no node needs waking for it.
        assertThat(named).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void jobsWrittenInTheCallersTransactionNotifyOncePerTenantWhenItCommits() throws SQLException {
        SqlStore sql = store();
        try (Connection c = database(Db.POSTGRES).dataSource().getConnection()) {
            c.setAutoCommit(false);
            for (int i = 0; i < 3; i++) sql.jobs().insert(c, List.of(job(A, Duration.ZERO)));
            sql.jobs().insert(c, jobs(B, 10));
            assertThat(heard()).as("nothing before the commit").isEmpty();
            c.commit();
            c.setAutoCommit(true);
        }
        assertThat(heard()).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void aRolledBackEnqueueNotifiesNobody() throws SQLException {
        SqlStore sql = store();
        try (Connection c = database(Db.POSTGRES).dataSource().getConnection()) {
            c.setAutoCommit(false);
            sql.jobs().insert(c, jobs(A, 5));
            c.rollback();
            c.setAutoCommit(true);
        }
        assertThat(heard()).isEmpty();
    }
}
