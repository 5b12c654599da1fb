package dev.millrace.test;

import dev.millrace.JobId;
import dev.millrace.TenantId;
import dev.millrace.internal.store.sql.Tables;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.IntSupplier;
import javax.sql.DataSource;

/**
 * Lets exactly one chosen job be the next one {@code Millrace.runReadyJobs} claims. The real executor claims
 * the oldest ready job of a tenant; {@code stopTest} must skip some ready jobs (a grandchild beyond the chain
 * depth, work enqueued before {@code startTest}) while running later ones (a finalizer), so for the length of
 * one run the other ready rows of the queue are moved out of reach, then put back exactly as they were.
 *
 * <p>Only the queue row's {@code run_at} changes; the job table, which monitoring and the test read, is never
 * touched. This works around the lack of a "run this job" entry point in core (see the module's README); it
 * is safe because a test node is never started, so nothing else claims while the gate is shut.
 */
final class QueueGate {
    /** Where held-back rows wait: later than any clock a test will reach. */
    private static final OffsetDateTime FAR = OffsetDateTime.of(9999, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);

    private final DataSource dataSource;
    private final String queue = Tables.in(null).queue();

    QueueGate(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    private record Held(UUID jobId, OffsetDateTime runAt) {
    }

    /**
     * Runs {@code run} while every other job of the tenant that is ready at {@code now} is held back.
     *
     * @return what {@code run} returned
     */
    int runAlone(TenantId tenant, JobId chosen, Instant now, IntSupplier run) {
        List<Held> held = holdBack(tenant, chosen, now);
        try {
            return run.getAsInt();
        } finally {
            release(held);
        }
    }

    private List<Held> holdBack(TenantId tenant, JobId chosen, Instant now) {
        List<Held> held = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT job_id, run_at FROM " + queue
                    + " WHERE tenant_id = ? AND state = 0 AND job_id <> ? AND run_at <= ?")) {
                ps.setString(1, tenant.value());
                ps.setObject(2, chosen.uuid());
                ps.setObject(3, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        held.add(new Held(rs.getObject(1, UUID.class), rs.getObject(2, OffsetDateTime.class)));
                    }
                }
            }
            if (held.isEmpty()) return held;
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + queue + " SET run_at = ? WHERE job_id = ?")) {
                for (Held h : held) {
                    ps.setObject(1, FAR);
                    ps.setObject(2, h.jobId());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return held;
        } catch (SQLException e) {
            throw new IllegalStateException("stopTest could not hold back the other ready jobs of tenant '" + tenant
                    + "' while running job " + chosen + ": " + e.getMessage(), e);
        }
    }

    private void release(List<Held> held) {
        if (held.isEmpty()) return;
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE " + queue + " SET run_at = ? WHERE job_id = ?")) {
            for (Held h : held) {
                ps.setObject(1, h.runAt());
                ps.setObject(2, h.jobId());
                ps.addBatch();
            }
            ps.executeBatch();
        } catch (SQLException e) {
            throw new IllegalStateException("stopTest could not put back " + held.size()
                    + " held-back jobs: " + e.getMessage(), e);
        }
    }
}
