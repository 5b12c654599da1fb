package dev.millrace.examples;

import dev.millrace.JobId;
import dev.millrace.JobLogEntry;
import dev.millrace.JobStatus;
import dev.millrace.test.AsyncTest;
import dev.millrace.test.MillraceTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tour, step 1: a job is a class whose fields are its state. With {@code millrace-test}, the job enqueued between
 * {@code startTest()} and {@code stopTest()} runs at {@code stopTest()}, on the test's thread, through the real
 * executor: no node to start, no sleeping.
 */
@MillraceTest(register = SendInvoice.class)
class SendInvoiceTest {

    @BeforeEach
    void invoices(AsyncTest test) {
        Sql.execute(test.dataSource(),
                "CREATE TABLE invoice (id BIGINT PRIMARY KEY, sent BOOLEAN DEFAULT FALSE NOT NULL)",
                "INSERT INTO invoice (id) VALUES (42)");
    }

    @Test
    void theInvoiceIsSentAtStopTest(AsyncTest test) {
        test.startTest();
        JobId id = test.millrace().enqueue(test.tenant(), new SendInvoice(42));
        assertThat(Sql.rows(test.dataSource(), "SELECT sent FROM invoice")).containsExactly("FALSE");
        test.stopTest();

        test.assertCompleted(id);
        assertThat(Sql.rows(test.dataSource(), "SELECT sent FROM invoice")).containsExactly("TRUE");
        assertThat(test.log(id)).extracting(JobLogEntry::message).containsExactly("invoice 42 sent");
    }

    @Test
    void anUnknownInvoiceFailsTheJobAndSaysWhy(AsyncTest test) {
        test.startTest();
        JobId id = test.enqueue(new SendInvoice(7));
        test.stopTest();

        assertThat(test.job(id).status()).isEqualTo(JobStatus.FAILED);
        assertThat(test.job(id).extendedStatus()).isEqualTo("java.lang.IllegalArgumentException: invoice 7 does not"
                + " exist: expected a row in table invoice");
    }
}
