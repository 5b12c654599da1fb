package dev.millrace.examples;

import dev.millrace.JobId;
import dev.millrace.JobQuery;
import dev.millrace.JobRecord;
import dev.millrace.JobStatus;
import dev.millrace.JobType;
import dev.millrace.Millrace;
import dev.millrace.TenantId;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tour, step 2: a node runs jobs by itself once started. Here on an H2 in-memory database, as a test or a
 * small program would; production points {@code jdbcUrl} at PostgreSQL. Nothing sleeps: Awaitility polls the
 * job table until the job has ended.
 */
class RunningANodeTest {
    static final TenantId ACME = TenantId.of("acme");

    private final String url = "jdbc:h2:mem:tour-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    private final JdbcDataSource db = new JdbcDataSource();

    @BeforeEach
    void database() {
        db.setURL(url);
        db.setUser("sa");
    }

    @AfterEach
    void dropDatabase() {
        Sql.execute(db, "SHUTDOWN");
    }

    @Test
    void aStartedNodeRunsAnEnqueuedJob() {
        try (Millrace millrace = Millrace.builder()
                .jdbcUrl(url, "sa", "")
                .register(SendInvoice.class)
                .build()
                .start()) {
            Sql.execute(db, "CREATE TABLE invoice (id BIGINT PRIMARY KEY, sent BOOLEAN DEFAULT FALSE NOT NULL)",
                    "INSERT INTO invoice (id) VALUES (42)");
            millrace.tenants().create(ACME);

            JobId id = millrace.enqueue(ACME, new SendInvoice(42));

            await().atMost(Duration.ofSeconds(20))
                    .until(() -> millrace.jobs().find(ACME, id).orElseThrow().status(), JobStatus::isTerminal);
            JobRecord job = millrace.jobs().find(ACME, id).orElseThrow();
            assertThat(job.status()).isEqualTo(JobStatus.COMPLETED);
            assertThat(job.node()).isEqualTo(millrace.nodeId());
            assertThat(Sql.rows(db, "SELECT sent FROM invoice")).containsExactly("TRUE");
        }
    }

    @Test
    void aStartedNodeFollowsARetryChainToTheEnd() {
        // In production there is no stopTest and no depth for tests: the finalizer retries until the charge succeeds.
        try (Millrace millrace = Millrace.builder()
                .jdbcUrl(url, "sa", "")
                .register(ChargePayment.class)
                .register(RetryPayment.class)
                .pollInterval(Duration.ofMillis(50))
                .build()
                .start()) {
            Sql.execute(db, "CREATE TABLE orders (id BIGINT PRIMARY KEY, gateway_declines INT NOT NULL,"
                    + " paid_on_attempt INT)", "INSERT INTO orders (id, gateway_declines) VALUES (7, 3)");
            millrace.tenants().create(ACME);

            millrace.enqueue(ACME, new ChargePayment(7));

            await().atMost(Duration.ofSeconds(20))
                    .until(() -> Sql.rows(db, "SELECT paid_on_attempt FROM orders"), rows -> rows.equals(List.of("4")));
            await().atMost(Duration.ofSeconds(20)).until(() -> jobs(millrace).stream()
                    .allMatch(j -> j.status().isTerminal()) && jobs(millrace).size() == 8);
            assertThat(jobs(millrace)).filteredOn(j -> j.type() == JobType.QUEUEABLE).extracting(JobRecord::status)
                    .containsExactly(JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.FAILED, JobStatus.FAILED);
        }
    }

    private static List<JobRecord> jobs(Millrace millrace) {
        return millrace.jobs().find(JobQuery.forTenant(ACME).build()).jobs();
    }
}
