package dev.millrace;

import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import dev.millrace.testing.TestDatabase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

import static dev.millrace.testing.Jobs.awaitTerminal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Migration V9 (one row per job): a store written by V8, with jobs queued, held by a flag, running on a dead node and
 * ended, migrates when a node opens it, and then drains: every live job runs, the ended one is untouched, and a live
 * job's duplicate signature is still refused while an ended job's is free again.
 */
class OneRowPerJobMigrationTest extends DatabaseTest {
    static final TenantId ACME = TenantId.of("acme");
    static final String SIGNATURE = DuplicateSignature.builder().add("report").build().value();
    static final String ENDED_SIGNATURE = DuplicateSignature.builder().add("done").build().value();

    @ParameterizedTest
    @EnumSource(Db.class)
    void aV8StoreWithQueuedHeldAndRunningJobsMigratesAndDrains(Db db) throws SQLException {
        TestDatabase d = database(db);
        d.migrateTo("8");
        d.insertTenantRow("acme");
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        UUID ready = UUID.randomUUID();
        UUID held = UUID.randomUUID();
        UUID running = UUID.randomUUID();
        UUID ended = UUID.randomUUID();
        try (Connection c = d.dataSource().getConnection()) {
            c.setAutoCommit(true);
            v8Job(c, d, ready, TestJobs.Record.class, "{\"name\":\"ready\"}", "QUEUED", 0, null, null, SIGNATURE, now);
            v8Job(c, d, held, FlagsTest.Gated.class, "{\"name\":\"held\"}", "HOLDING", 3, null, null, null, now);
            v8Job(c, d, running, TestJobs.Record.class, "{\"name\":\"rescued\"}", "PROCESSING", 1, "dead-node",
                    now.minusHours(1), null, now);
            v8Job(c, d, ended, TestJobs.Record.class, "{\"name\":\"ended\"}", "COMPLETED", null, null, null,
                    ENDED_SIGNATURE, now);
        }
        TestJobs.reset();
        FlagsTest.RAN.clear();
        Millrace m = node(builder(db).register(TestJobs.Record.class).register(FlagsTest.Gated.class)
                .bindToFlag(FlagsTest.Gated.class, FlagsTest.FLAG));

        assertThat(d.queryLong("SELECT COUNT(*) FROM " + d.table("mr_job") + " WHERE state IS NOT NULL"))
                .as("the three live jobs kept their place in the queue").isEqualTo(3);
        var live = AsyncOptions.builder().duplicateSignature(DuplicateSignature.builder().add("report").build()).build();
        assertThatThrownBy(() -> m.enqueue(ACME, new TestJobs.Record("again"), live))
                .isInstanceOf(DuplicateJobException.class);
        var free = AsyncOptions.builder().duplicateSignature(DuplicateSignature.builder().add("done").build()).build();
        JobId reused = m.enqueue(ACME, new TestJobs.Record("reused"), free);

        m.start();
        assertThat(awaitTerminal(m, ACME, JobId.of(ready)).status()).isEqualTo(JobStatus.COMPLETED);
        JobRecord rescued = awaitTerminal(m, ACME, JobId.of(running));
        assertThat(rescued.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(rescued.attempt()).as("the rescue kept the dead node's attempt and fenced it").isEqualTo(2);
        assertThat(awaitTerminal(m, ACME, reused).status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(m.jobs().find(ACME, JobId.of(held)).orElseThrow().status()).isEqualTo(JobStatus.HOLDING);
        assertThat(m.flags().set(ACME, FlagsTest.FLAG, true)).isEqualTo(1);
        assertThat(awaitTerminal(m, ACME, JobId.of(held)).status()).isEqualTo(JobStatus.COMPLETED);

        assertThat(TestJobs.EVENTS).containsExactlyInAnyOrder("ready", "rescued", "reused");
        assertThat(FlagsTest.RAN).containsExactly("held");
        assertThat(m.jobs().find(ACME, JobId.of(ended)).orElseThrow().status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(d.queryLong("SELECT COUNT(*) FROM " + d.table("mr_job") + " WHERE state IS NOT NULL")).isZero();
    }

    /** Builds the schema as it was up to V8, as the node would (same history table). */


    /** A job as V8 stored it: its mr_job row and, while live, its mr_queue row. */
    private static void v8Job(Connection c, TestDatabase d, UUID id, Class<?> type, String payload, String status,
            Integer state, String node, OffsetDateTime lease, String signature, OffsetDateTime now) throws SQLException {
        int attempt = state != null && state == 1 ? 1 : 0;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + d.table("mr_job") + " (id, tenant_id, job_type,"
                + " class_name, status, attempt, node, created_at, run_at, started_at, completed_at, payload, signature)"
                + " VALUES (?, 'acme', 'QUEUEABLE', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setObject(1, id);
            ps.setString(2, type.getName());
            ps.setString(3, status);
            ps.setInt(4, attempt);
            ps.setString(5, node);
            ps.setObject(6, now);
            ps.setObject(7, now);
            ps.setObject(8, attempt > 0 || state == null ? now : null);
            ps.setObject(9, state == null ? now : null);
            ps.setString(10, payload);
            ps.setString(11, signature);
            ps.executeUpdate();
        }
        if (state == null) return;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + d.table("mr_queue") + " (job_id, tenant_id,"
                + " job_type, state, run_at, attempt, node, lease_expires_at, signature)"
                + " VALUES (?, 'acme', 'QUEUEABLE', ?, ?, ?, ?, ?, ?)")) {
            ps.setObject(1, id);
            ps.setInt(2, state);
            ps.setObject(3, now);
            ps.setInt(4, attempt);
            ps.setString(5, node);
            ps.setObject(6, lease);
            ps.setString(7, signature);
            ps.executeUpdate();
        }
    }
}
