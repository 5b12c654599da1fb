package dev.millrace;

import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import dev.millrace.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * H2 migration V18 (signatures and parents apart from the job rows): a store written before it keeps a live job's
 * duplicate signature held and an ended one's free, finds children by their parent, and keeps doing both for rows
 * written and deleted after it.
 */
class SignatureAndParentApartMigrationTest extends DatabaseTest {
    static final TenantId ACME = TenantId.of("acme");

    @Test
    void aStoreWrittenBeforeV18KeepsItsSignaturesAndChildren() throws SQLException {
        TestDatabase d = database(Db.H2);
        d.migrateTo(lastBefore(18));
        d.insertTenantRow("acme");
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        UUID parent = UUID.randomUUID();
        UUID child = UUID.randomUUID();
        try (Connection c = d.dataSource().getConnection()) {
            c.setAutoCommit(true);
            job(c, d, parent, null, "done", null, now);
            job(c, d, child, parent, "report", 0, now);
        }
        Millrace m = node(builder(Db.H2).register(TestJobs.Record.class));

        assertThat(m.jobs().find(JobQuery.forTenant(ACME).parent(JobId.of(parent)).build()).jobs())
                .extracting(JobRecord::id).containsExactly(JobId.of(child));
        assertThatThrownBy(() -> m.enqueue(ACME, new TestJobs.Record("again"), signed("report")))
                .isInstanceOf(DuplicateJobException.class);
        JobId reused = m.enqueue(ACME, new TestJobs.Record("reused"), signed("done"));
        assertThatThrownBy(() -> m.enqueue(ACME, new TestJobs.Record("twice"), signed("done")))
                .isInstanceOf(DuplicateJobException.class);
        assertThat(m.jobs().find(ACME, reused)).isPresent();

        // Rows written and deleted after the migration: the trigger keeps the pairs.
        UUID second = UUID.randomUUID();
        try (Connection c = d.dataSource().getConnection()) {
            c.setAutoCommit(true);
            job(c, d, second, parent, null, null, now);
            assertThat(m.jobs().find(JobQuery.forTenant(ACME).parent(JobId.of(parent)).build()).jobs())
                    .extracting(JobRecord::id).containsExactlyInAnyOrder(JobId.of(child), JobId.of(second));
            c.createStatement().executeUpdate("DELETE FROM " + d.table("mr_job") + " WHERE id = '" + second + "'");
        }
        assertThat(d.queryLong("SELECT COUNT(*) FROM " + d.table("mr_job_child"))).isEqualTo(1);
    }

    /** The highest H2 migration below {@code version}: V17 when another branch added it, V16 until then. */
    private static String lastBefore(int version) {
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of(
                SignatureAndParentApartMigrationTest.class.getResource("/dev/millrace/migration/h2").toURI()))) {
            return String.valueOf(files.map(f -> f.getFileName().toString())
                    .mapToInt(n -> Integer.parseInt(n.substring(1, n.indexOf("__"))))
                    .filter(v -> v < version).max().orElseThrow());
        } catch (java.io.IOException | java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static AsyncOptions signed(String part) {
        return AsyncOptions.builder().duplicateSignature(DuplicateSignature.builder().add(part).build()).build();
    }


    /** A job row as the store writes it: live when {@code state} is set, ended (completed) otherwise. */
    private static void job(Connection c, TestDatabase d, UUID id, UUID parent, String signature, Integer state,
            OffsetDateTime now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + d.table("mr_job") + " (id, tenant_id, job_type,"
                + " class_name, status, created_at, run_at, completed_at, payload, signature, parent_job_id, state)"
                + " VALUES (?, 'acme', 'QUEUEABLE', ?, ?, ?, ?, ?, '{\"name\":\"x\"}', ?, ?, ?)")) {
            ps.setObject(1, id);
            ps.setString(2, TestJobs.Record.class.getName());
            ps.setString(3, state == null ? "COMPLETED" : "QUEUED");
            ps.setObject(4, now);
            ps.setObject(5, now);
            ps.setObject(6, state == null ? now : null);
            ps.setString(7, signature == null ? null : DuplicateSignature.builder().add(signature).build().value());
            ps.setObject(8, parent);
            ps.setObject(9, state);
            ps.executeUpdate();
        }
    }
}
