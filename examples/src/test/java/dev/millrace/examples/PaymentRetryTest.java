package dev.millrace.examples;

import dev.millrace.JobId;
import dev.millrace.JobLogEntry;
import dev.millrace.JobRecord;
import dev.millrace.JobStatus;
import dev.millrace.test.AsyncTest;
import dev.millrace.test.MillraceTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tour, finalizers: {@link ChargePayment} attaches {@link RetryPayment}, which runs after each attempt and
 * enqueues the next one after a failure. At {@code stopTest()} the finalizer runs, and its retry counts as a
 * chained child: one level by default, more with {@code runChainedJobs(depth)}.
 */
@MillraceTest(register = {ChargePayment.class, RetryPayment.class})
class PaymentRetryTest {

    @BeforeEach
    void orders(AsyncTest test) {
        Sql.execute(test.dataSource(), "CREATE TABLE orders (id BIGINT PRIMARY KEY, gateway_declines INT NOT NULL,"
                + " paid_on_attempt INT)");
    }

    private static void order(AsyncTest test, long id, int gatewayDeclines) {
        Sql.execute(test.dataSource(), "INSERT INTO orders (id, gateway_declines) VALUES (" + id + ", " + gatewayDeclines
                + ")");
    }

    @Test
    void aDeclinedChargeIsRetriedByTheFinalizer(AsyncTest test) {
        order(test, 7, 1);
        test.startTest();
        JobId first = test.enqueue(new ChargePayment(7));
        test.stopTest();

        assertThat(Sql.rows(test.dataSource(), "SELECT paid_on_attempt FROM orders")).containsExactly("2");
        assertThat(test.jobs(ChargePayment.class)).extracting(JobRecord::status)
                .containsExactly(JobStatus.FAILED, JobStatus.COMPLETED);
        assertThat(test.job(first).extendedStatus())
                .isEqualTo("java.lang.IllegalStateException: card declined for order 7 on attempt 1");
        // The finalizer's log line survived the failed attempt's rollback.
        JobId finalizer = test.jobs(RetryPayment.class).get(0).id();
        assertThat(test.log(finalizer)).extracting(JobLogEntry::message).containsExactly(
                "charge 1 of order 7 failed (card declined for order 7 on attempt 1); retrying");
    }

    @Test
    void retriesBeyondTheFirstWaitUnlessTheTestAsksForMore(AsyncTest test) {
        order(test, 7, 2);
        test.startTest();
        test.enqueue(new ChargePayment(7));
        test.stopTest();

        assertThat(Sql.rows(test.dataSource(), "SELECT COUNT(*) FROM orders WHERE paid_on_attempt IS NULL"))
                .containsExactly("1");
        test.assertEnqueued(ChargePayment.class);    // attempt 3, two levels down, waits
    }

    @Test
    void runChainedJobsFollowsTheRetriesUntilTheChargeSucceeds(AsyncTest test) {
        order(test, 7, 2);
        test.startTest();
        test.enqueue(new ChargePayment(7));
        test.runChainedJobs(5).stopTest();

        assertThat(Sql.rows(test.dataSource(), "SELECT paid_on_attempt FROM orders")).containsExactly("3");
        test.refuteEnqueued(ChargePayment.class);
    }

    @Test
    void afterFiveConsecutiveFailuresTheChainIsCut(AsyncTest test) {
        order(test, 7, 100);
        test.startTest();
        test.enqueue(new ChargePayment(7));
        test.runChainedJobs(10).stopTest();

        assertThat(test.jobs(ChargePayment.class)).hasSize(5).extracting(JobRecord::status).containsOnly(JobStatus.FAILED);
        JobRecord fifth = test.jobs(ChargePayment.class).get(4);
        assertThat(test.log(fifth.id())).extracting(JobLogEntry::message).anySatisfy(m -> assertThat(m)
                .startsWith("finalizer retry chain cut: 5 consecutive failed executions were re-enqueued by finalizers"));
        test.refuteEnqueued(ChargePayment.class);
    }
}
