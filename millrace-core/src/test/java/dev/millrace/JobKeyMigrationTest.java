package dev.millrace;

import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import dev.millrace.testing.TestDatabase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import static dev.millrace.testing.Jobs.awaitTerminal;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Migration V17 (the job key becomes (tenant_id, id)): a store written by V16, with jobs of two tenants queued and
 * ended, migrates when a node opens it; every job is then found by its tenant and id (and not by another tenant), the
 * queued ones run, and the indexes the key replaced are gone.
 */
class JobKeyMigrationTest extends DatabaseTest {
    static final TenantId ACME = TenantId.of("acme");
    static final TenantId GLOBEX = TenantId.of("globex");

    @ParameterizedTest
    @EnumSource(Db.class)
    void aV16StoreWithJobsOfTwoTenantsMigratesAndEveryJobIsFoundByTenantAndId(Db db) throws SQLException {
        TestDatabase d = database(db);
        d.migrateTo("16");
        for (TenantId t : List.of(ACME, GLOBEX)) d.insertTenantRow(t.value());
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        UUID acmeQueued = UUID.randomUUID();
        UUID acmeEnded = UUID.randomUUID();
        UUID globexQueued = UUID.randomUUID();
        try (Connection c = d.dataSource().getConnection()) {
            c.setAutoCommit(true);
            v16Job(c, d, acmeQueued, ACME, "acme queued", 0, now);
            v16Job(c, d, acmeEnded, ACME, "acme ended", null, now);
            v16Job(c, d, globexQueued, GLOBEX, "globex queued", 0, now);
        }
        TestJobs.reset();
        Millrace m = node(builder(db).register(TestJobs.Record.class));

        assertThat(keyColumns(d)).containsExactly("tenant_id", "id");
        assertThat(indexes(d)).doesNotContain("mr_job_tenant_id", "mr_job_completed");
        assertThat(m.jobs().find(ACME, JobId.of(acmeEnded)).orElseThrow().status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(m.jobs().find(GLOBEX, JobId.of(acmeEnded))).as("another tenant's job").isEmpty();
        assertThat(m.jobs().find(ACME, JobId.of(globexQueued))).as("another tenant's job").isEmpty();

        m.start();
        assertThat(awaitTerminal(m, ACME, JobId.of(acmeQueued)).status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(awaitTerminal(m, GLOBEX, JobId.of(globexQueued)).status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(TestJobs.EVENTS).containsExactlyInAnyOrder("acme queued", "globex queued");
        assertThat(m.jobs().find(JobQuery.forTenant(ACME).build()).jobs()).extracting(r -> r.id().uuid())
                .containsExactlyInAnyOrder(acmeQueued, acmeEnded);
    }

    /** Builds the schema as it was up to V16, as the node would (same history table). */


    /** mr_job's primary key columns, in key order, lower case. */
    private static List<String> keyColumns(TestDatabase d) throws SQLException {
        try (Connection c = d.dataSource().getConnection();
             ResultSet rs = c.getMetaData().getPrimaryKeys(null, d.schema(), table(d))) {
            List<String> out = new ArrayList<>(List.of("", ""));
            while (rs.next()) out.set(rs.getInt("KEY_SEQ") - 1, rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT));
            return out;
        }
    }

    /** mr_job's index names, lower case. */
    private static List<String> indexes(TestDatabase d) throws SQLException {
        try (Connection c = d.dataSource().getConnection();
             ResultSet rs = c.getMetaData().getIndexInfo(null, d.schema(), table(d), false, false)) {
            List<String> out = new ArrayList<>();
            while (rs.next()) if (rs.getString("INDEX_NAME") != null) out.add(rs.getString("INDEX_NAME").toLowerCase(Locale.ROOT));
            return out;
        }
    }

    /** The job table's name as the database's metadata spells it (H2 folds unquoted names to upper case). */
    private static String table(TestDatabase d) {
        return d.db() == Db.H2 ? "MR_JOB" : "mr_job";
    }

    /** A job as V16 stores it: ready (state 0) or ended (state NULL). */
    private static void v16Job(Connection c, TestDatabase d, UUID id, TenantId tenant, String name, Integer state,
            OffsetDateTime now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + d.table("mr_job") + " (id, tenant_id, job_type,"
                + " class_name, status, created_at, run_at, completed_at, payload, state)"
                + " VALUES (?, ?, 'QUEUEABLE', ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setObject(1, id);
            ps.setString(2, tenant.value());
            ps.setString(3, TestJobs.Record.class.getName());
            ps.setString(4, state == null ? "COMPLETED" : "QUEUED");
            ps.setObject(5, now);
            ps.setObject(6, now);
            ps.setObject(7, state == null ? now : null);
            ps.setString(8, "{\"name\":\"" + name + "\"}");
            if (state == null) ps.setNull(9, java.sql.Types.SMALLINT);
            else ps.setInt(9, state);
            ps.executeUpdate();
        }
    }
}
