package dev.millrace.examples;

import dev.millrace.AsyncOptions;
import dev.millrace.DuplicateJobException;
import dev.millrace.DuplicateSignature;
import dev.millrace.JobId;
import dev.millrace.JobRecord;
import dev.millrace.JobStatus;
import dev.millrace.test.AsyncTest;
import dev.millrace.test.MillraceTest;
import dev.millrace.test.TestClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Tour, options: a delay, a duplicate signature, a maximum chain depth. */
@MillraceTest(register = {SendInvoice.class, ImportCustomers.class, NotifyImportDone.class})
class OptionsTest {

    @BeforeEach
    void tables(AsyncTest test) {
        Sql.execute(test.dataSource(),
                "CREATE TABLE invoice (id BIGINT PRIMARY KEY, sent BOOLEAN DEFAULT FALSE NOT NULL)",
                "INSERT INTO invoice (id) VALUES (42)",
                "CREATE TABLE customer_staging (batch_id VARCHAR(20), email VARCHAR(200), name VARCHAR(200))",
                "CREATE TABLE customer (email VARCHAR(200) PRIMARY KEY, name VARCHAR(200))",
                Outbox.CREATE_TABLE,
                "INSERT INTO customer_staging VALUES ('b1', 'ada@example.com', 'Ada')");
    }

    @Test
    void aDelayedJobRunsAtStopTestOnceTheClockHasMovedOn(AsyncTest test) {
        test.startTest();
        JobId id = test.enqueue(new SendInvoice(42), AsyncOptions.delayMinutes(5));
        test.stopTest();

        JobRecord job = test.assertCompleted(id);
        assertThat(job.runAt()).isEqualTo(TestClock.DEFAULT_START.plus(Duration.ofMinutes(5)));
        assertThat(job.startedAt()).isEqualTo(job.runAt());
        assertThat(test.clock().instant()).isEqualTo(job.runAt());
    }

    @Test
    void aDuplicateIsRefusedWhileTheFirstIsActive(AsyncTest test) {
        AsyncOptions once = AsyncOptions.builder()
                .duplicateSignature(DuplicateSignature.builder().add("invoice").add(42).build())
                .build();
        test.startTest();
        test.enqueue(new SendInvoice(42), once);
        assertThatThrownBy(() -> test.enqueue(new SendInvoice(42), once))
                .isInstanceOf(DuplicateJobException.class)
                .hasMessageStartingWith("attempt to enqueue job with duplicate queueable signature");
        test.stopTest();

        assertThat(test.jobs(SendInvoice.class)).singleElement().extracting(JobRecord::status)
                .isEqualTo(JobStatus.COMPLETED);
        test.enqueue(new SendInvoice(42), once);      // the first has ended: the signature is free again
    }

    @Test
    void aChainDeeperThanItsMaximumFailsTheJobThatTriesToGrowIt(AsyncTest test) {
        test.startTest();
        JobId id = test.enqueue(new ImportCustomers("b1"), AsyncOptions.builder().maximumStackDepth(1).build());
        test.stopTest();

        assertThat(test.job(id).status()).isEqualTo(JobStatus.FAILED);
        assertThat(test.job(id).extendedStatus()).startsWith("dev.millrace.MaxStackDepthException: maximum stack depth"
                + " reached");
        assertThat(Sql.rows(test.dataSource(), "SELECT COUNT(*) FROM customer")).containsExactly("0");
    }
}
