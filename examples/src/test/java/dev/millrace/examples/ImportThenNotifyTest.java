package dev.millrace.examples;

import dev.millrace.JobId;
import dev.millrace.JobRecord;
import dev.millrace.JobStatus;
import dev.millrace.test.AsyncTest;
import dev.millrace.test.MillraceTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tour, chaining: a job may enqueue one child, which exists only if the parent commits. {@code stopTest()} runs
 * the enqueued job and one level of chained children (Salesforce refuses chaining in tests altogether).
 */
@MillraceTest(register = {ImportCustomers.class, NotifyImportDone.class})
class ImportThenNotifyTest {

    @BeforeEach
    void tables(AsyncTest test) {
        Sql.execute(test.dataSource(),
                "CREATE TABLE customer_staging (batch_id VARCHAR(20), email VARCHAR(200), name VARCHAR(200))",
                "CREATE TABLE customer (email VARCHAR(200) PRIMARY KEY, name VARCHAR(200))",
                Outbox.CREATE_TABLE,
                "INSERT INTO customer_staging VALUES ('b1', 'ada@example.com', 'Ada'), ('b1', 'grace@example.com', 'Grace')");
    }

    @Test
    void theImportRunsThenItsChainedNotification(AsyncTest test) {
        test.startTest();
        JobId importJob = test.enqueue(new ImportCustomers("b1"));
        test.stopTest();

        assertThat(Sql.rows(test.dataSource(), "SELECT name FROM customer ORDER BY name")).containsExactly("Ada", "Grace");
        assertThat(Sql.rows(test.dataSource(), "SELECT recipient, message FROM outbox"))
                .containsExactly("ops@example.com | import b1 done: 2 customers");
        JobRecord notify = test.jobs(NotifyImportDone.class).get(0);
        assertThat(notify.parentJobId()).isEqualTo(importJob);
        assertThat(notify.stackDepth()).isEqualTo(2);
        assertThat(notify.status()).isEqualTo(JobStatus.COMPLETED);
    }

    @Test
    void aFailedImportLeavesNoCustomersAndNoNotification(AsyncTest test) {
        // Ada is already a customer: the import's insert breaks the primary key and the job fails.
        Sql.execute(test.dataSource(), "INSERT INTO customer VALUES ('ada@example.com', 'Ada')");
        test.startTest();
        JobId importJob = test.enqueue(new ImportCustomers("b1"));
        test.stopTest();

        assertThat(test.job(importJob).status()).isEqualTo(JobStatus.FAILED);
        assertThat(Sql.rows(test.dataSource(), "SELECT COUNT(*) FROM customer_staging")).containsExactly("2");
        assertThat(test.jobs(NotifyImportDone.class)).isEmpty();
    }
}
