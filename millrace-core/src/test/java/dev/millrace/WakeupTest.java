package dev.millrace;

import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import dev.millrace.testing.MutableClock;
import dev.millrace.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Jobs start on a signal, not on the next poll: the poll is only the safety net. */
class WakeupTest extends DatabaseTest {
    static final TenantId ACME = TenantId.of("acme");
    static final Duration SLOW_POLL = Duration.ofSeconds(60);

    @ParameterizedTest
    @EnumSource(Db.class)
    void enqueueOnTheSameNodeWakesItsDispatcher(Db db) {
        Millrace m = started(builder(db).pollInterval(SLOW_POLL).register(TestJobs.Record.class));
        m.tenants().create(ACME);
        // Let the dispatcher settle into its (long) idle wait first.
        m.jobs().find(JobQuery.forTenant(ACME).build());
        JobId id = m.enqueue(ACME, new TestJobs.Record("now"));
        await().atMost(Duration.ofSeconds(5)).until(() -> m.jobs().find(ACME, id).orElseThrow().status().isTerminal());
    }

    @Test
    void enqueueInTheCallersTransactionWakesThisNodeAtCommitThroughPostgresNotify() throws Exception {
        // The NOTIFY rides in the caller's transaction and reaches this node's own listener when it commits (H2 has
        // no NOTIFY: there such a job waits for the poll).
        Millrace m = started(builder(Db.POSTGRES).pollInterval(SLOW_POLL).register(TestJobs.Record.class));
        m.tenants().create(ACME);
        m.jobs().find(JobQuery.forTenant(ACME).build());
        JobId id;
        try (java.sql.Connection c = database(Db.POSTGRES).dataSource().getConnection()) {
            c.setAutoCommit(false);
            id = m.enqueue(c, ACME, new TestJobs.Record("in a transaction"), AsyncOptions.none());
            assertThat(m.jobs().find(ACME, id)).as("nothing is claimed before the caller commits").isEmpty();
            c.commit();
            c.setAutoCommit(true);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> m.jobs().find(ACME, id).orElseThrow().status().isTerminal());
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void enqueueWithAWorkerIdleInsertsTheJobAlreadyClaimedByThisNode(Db db) {
        TestJobs.reset();
        Millrace m = started(builder(db).pollInterval(SLOW_POLL).register(TestJobs.WaitForAbort.class)
                .register(TestJobs.Record.class));
        m.tenants().create(ACME);
        JobId id = m.enqueue(ACME, new TestJobs.WaitForAbort());
        JobRecord atReturn = m.jobs().find(ACME, id).orElseThrow();
        assertThat(atReturn.status()).as("claimed by the insert itself, before enqueue returns")
                .isEqualTo(JobStatus.PROCESSING);
        assertThat(atReturn.node()).isEqualTo(m.nodeId());
        assertThat(atReturn.attempt()).isEqualTo(1);
        JobId delayed = m.enqueue(ACME, new TestJobs.Record("later"),
                AsyncOptions.builder().delay(Duration.ofMinutes(1)).build());
        assertThat(m.jobs().find(ACME, delayed).orElseThrow().status()).as("a delayed job waits in the queue")
                .isEqualTo(JobStatus.QUEUED);
        m.jobs().abort(ACME, id);
        await().atMost(Duration.ofSeconds(10)).until(() -> m.jobs().find(ACME, id).orElseThrow().status()
                == JobStatus.ABORTED);
    }

    @Test
    void enqueueOnAnotherNodeWakesThisOneThroughPostgresNotify() {
        Millrace runner = started(builder(Db.POSTGRES).pollInterval(SLOW_POLL).register(TestJobs.Record.class));
        Millrace client = node(builder(Db.POSTGRES).register(TestJobs.Record.class));
        client.tenants().create(ACME);
        JobId id = client.enqueue(ACME, new TestJobs.Record("from afar"));
        await().atMost(Duration.ofSeconds(5))
                .until(() -> runner.jobs().find(ACME, id).orElseThrow().status().isTerminal());
        assertThat(runner.jobs().find(ACME, id).orElseThrow().node()).isEqualTo(runner.nodeId());
    }

    @Test
    void enqueueNotifiesOnlyWhileAListenerOfAnotherProcessIsConnected() throws Exception {
        // A NOTIFY costs a durable commit of its own: an application alone on the database sends none, and starts
        // as soon as another node's listener (seen by its application_name) connects.
        Millrace client = node(builder(Db.POSTGRES).register(TestJobs.Record.class));
        client.tenants().create(ACME);
        String channel = dev.millrace.internal.store.sql.Tables.in(database(Db.POSTGRES).schema()).readyChannel();
        try (java.sql.Connection c = database(Db.POSTGRES).dataSource().getConnection();
             java.sql.Statement s = c.createStatement()) {
            s.execute("LISTEN \"" + channel + "\"");
            org.postgresql.PGConnection pg = c.unwrap(org.postgresql.PGConnection.class);
            // Once the client has looked (at its start, then every 100 ms), its enqueues notify nobody.
            await().atMost(Duration.ofSeconds(5)).until(() -> {
                client.enqueue(ACME, new TestJobs.Record("nobody listens"));
                var got = pg.getNotifications(200);
                return got == null || got.length == 0;
            });
            for (int i = 0; i < 5; i++) client.enqueue(ACME, new TestJobs.Record("nobody listens still"));
            assertThat(pg.getNotifications(300)).as("no other node listens: no NOTIFY").isNullOrEmpty();

            s.execute("SET application_name = 'millrace-listener:" + channel + "'");
            await().atMost(Duration.ofSeconds(5)).until(() -> {
                client.enqueue(ACME, new TestJobs.Record("a node listens"));
                var got = pg.getNotifications(200);
                return got != null && got.length > 0;
            });
            s.execute("UNLISTEN *");
            s.execute("RESET application_name");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not a tenant!"})
    void aNotificationNamingNoTenantWakesTheNodeToLookAtEveryTenant(String payload) throws Exception {
        // What an older node, or anything else on the channel, sends: the node reads which tenants have work.
        MutableClock clock = MutableClock.now();
        Millrace runner = started(builder(Db.POSTGRES).clock(clock).pollInterval(SLOW_POLL)
                .register(TestJobs.Record.class));
        Millrace client = node(builder(Db.POSTGRES).clock(clock).register(TestJobs.Record.class));
        client.tenants().create(ACME);
        // Delayed: enqueued without a notification. Then due, as far as both nodes' clock goes.
        JobId id = client.enqueue(ACME, new TestJobs.Record("due"),
                AsyncOptions.builder().delay(Duration.ofMinutes(1)).build());
        clock.advance(Duration.ofMinutes(2));
        notifyReady(payload);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> runner.jobs().find(ACME, id).orElseThrow().status().isTerminal());
    }

    @Test
    void aNodeWokenForATenantWhoseJobAnotherNodeTookStillStartsItsDelayedJobWhenDue() throws Exception {
        Millrace m = started(builder(Db.POSTGRES).pollInterval(SLOW_POLL).register(TestJobs.Record.class));
        m.tenants().create(ACME);
        m.tenants().create(TenantId.of("globex"));
        JobId delayed = m.enqueue(ACME, new TestJobs.Record("later"),
                AsyncOptions.builder().delay(Duration.ofSeconds(2)).build());
        // A notification naming a tenant whose job another node claimed first: this node's claim finds nothing, and
        // it must go back to waiting for the delayed job, not for the (long) poll.
        notifyReady("globex");
        JobRecord job = await().atMost(Duration.ofSeconds(10))
                .until(() -> m.jobs().find(ACME, delayed).orElseThrow(), j -> j.status().isTerminal());
        assertThat(job.startedAt()).isAfterOrEqualTo(job.runAt());
    }

    /** Sends a notification on this class's ready channel, as another node would. */
    private void notifyReady(String payload) throws java.sql.SQLException {
        TestDatabase d = database(Db.POSTGRES);
        try (java.sql.Connection c = d.dataSource().getConnection();
             java.sql.PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
            ps.setString(1, dev.millrace.internal.store.sql.Tables.in(d.schema()).readyChannel());
            ps.setString(2, payload);
            ps.execute();
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void delayedJobEnqueuedHereStartsWhenDue(Db db) {
        Millrace m = started(builder(db).pollInterval(SLOW_POLL).register(TestJobs.Record.class));
        m.tenants().create(ACME);
        m.tenants().put(ACME, TenantPolicy.DEFAULTS);
        JobId id = m.enqueue(ACME, new TestJobs.Record("soon"),
                AsyncOptions.builder().delay(Duration.ofMillis(300)).build());
        JobRecord job = await().atMost(Duration.ofSeconds(5))
                .until(() -> m.jobs().find(ACME, id).orElseThrow(), j -> j.status().isTerminal());
        assertThat(job.startedAt()).isAfterOrEqualTo(job.runAt());
    }
}
