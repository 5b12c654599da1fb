package dev.millrace.examples;

import dev.millrace.JobId;
import dev.millrace.JobLogEntry;
import dev.millrace.JobNotFoundException;
import dev.millrace.JobPage;
import dev.millrace.JobQuery;
import dev.millrace.JobRecord;
import dev.millrace.JobStatus;
import dev.millrace.test.AsyncTest;
import dev.millrace.test.MillraceTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Tour, monitoring: every job is a row; query a tenant's jobs, read a job's log, abort a job. */
@MillraceTest(register = SendInvoice.class)
class MonitoringTest {

    @Test
    void queryTheFailedJobsAndReadTheirLog(AsyncTest test) {
        Sql.execute(test.dataSource(), "CREATE TABLE invoice (id BIGINT PRIMARY KEY, sent BOOLEAN DEFAULT FALSE NOT NULL)",
                "INSERT INTO invoice (id) VALUES (1), (2)");
        test.startTest();
        for (long invoice = 1; invoice <= 3; invoice++) test.enqueue(new SendInvoice(invoice));
        test.stopTest();

        JobPage page = test.millrace().jobs().find(JobQuery.forTenant(test.tenant()).status(JobStatus.FAILED).limit(50)
                .build());
        JobRecord failed = page.jobs().get(0);
        assertThat(page.jobs()).hasSize(1);
        assertThat(page.nextCursor()).isEmpty();
        assertThat(failed.extendedStatus()).contains("invoice 3 does not exist");
        assertThat(test.millrace().jobs().log(test.tenant(), failed.id())).extracting(JobLogEntry::message)
                .containsExactly("job failed: java.lang.IllegalArgumentException: invoice 3 does not exist: expected a"
                        + " row in table invoice");
    }

    @Test
    void anAbortedJobNeverStarts(AsyncTest test) {
        test.startTest();
        JobId id = test.enqueue(new SendInvoice(1));
        test.millrace().jobs().abort(test.tenant(), id);
        test.stopTest();

        assertThat(test.job(id).status()).isEqualTo(JobStatus.ABORTED);
        assertThatThrownBy(() -> test.millrace().jobs().abort(test.tenant(), id))
                .isInstanceOf(JobNotFoundException.class)
                .hasMessageContaining("it has already ended (ABORTED)");
    }
}
