package dev.millrace.internal.store;

import dev.millrace.AsyncOptions;
import dev.millrace.JobQuery;
import dev.millrace.JobStatus;
import dev.millrace.Millrace;
import dev.millrace.Queueable;
import dev.millrace.QueueableContext;
import dev.millrace.TenantId;
import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import dev.millrace.testing.TestDatabase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A draining node's claims, as the store sees them. */
class ClaimSizeTest extends DatabaseTest {
    static final TenantId ACME = TenantId.of("acme");
    static final int BATCH = 16;
    static final int JOBS = 400;

    static class NoOp implements Queueable {
        @Override
        public void execute(QueueableContext context) {
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void onH2WhileWorkersHaveWorkEveryClaimAsksForAtLeastHalfABatch(Db db) {
        TestDatabase d = database(db);
        Recorder recorder = new Recorder(d.dataSource());
        Millrace m = node(Millrace.builder().dataSource(recorder.dataSource()).schema(d.schema())
                .pollInterval(Duration.ofMillis(50)).workers(2).claimBatchSize(BATCH).register(NoOp.class));
        m.tenants().create(ACME);
        List<NoOp> jobs = new ArrayList<>();
        for (int i = 0; i < JOBS; i++) jobs.add(new NoOp());
        m.enqueueAll(ACME, jobs, AsyncOptions.none());
        recorder.clear();
        m.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> m.jobs().countByStatus(JobQuery.forTenant(ACME).build())
                .getOrDefault(JobStatus.COMPLETED, 0L) == JOBS);
        if (db != Db.H2) return;
        // H2 picks a tenant's oldest ready ids (LIMIT: what the claim asks for), then takes them. A claim's commit
        // writes a chunk of every page it dirtied, so a claim of a few jobs would cost nearly what a full one does.
        List<Recorder.Sent> picks = recorder.sentTo("mr_job").stream()
                .filter(s -> s.sql().startsWith("SELECT id FROM") && s.sql().endsWith("LIMIT ?")).toList();
        assertThat(picks).isNotEmpty();
        for (Recorder.Sent pick : picks) {
            Recorder.Call limit = pick.params().get(pick.params().size() - 1);
            assertThat((Integer) limit.args()[1]).as("claim size").isGreaterThanOrEqualTo(BATCH / 2);
        }
    }
}
