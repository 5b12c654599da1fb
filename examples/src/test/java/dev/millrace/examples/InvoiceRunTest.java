package dev.millrace.examples;

import dev.millrace.schedule.ScheduleId;
import dev.millrace.schedule.ScheduleRecord;
import dev.millrace.schedule.ScheduleState;
import dev.millrace.test.AsyncTest;
import dev.millrace.test.MillraceTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tour, schedules: a schedulable runs at each fire time of a cron expression in its time zone. In a test, moving
 * the clock fires every fire time on the way, inline.
 */
@MillraceTest(register = {InvoiceRun.class, SendInvoice.class})
class InvoiceRunTest {

    @BeforeEach
    void invoices(AsyncTest test) {
        Sql.execute(test.dataSource(),
                "CREATE TABLE invoice (id BIGINT PRIMARY KEY, sent BOOLEAN DEFAULT FALSE NOT NULL)",
                "CREATE TABLE invoice_run (fire_time TIMESTAMP WITH TIME ZONE, invoice BIGINT)",
                "INSERT INTO invoice (id) VALUES (42), (43)");
    }

    @Test
    void theRunFiresAtTwoInTheMorningLondonTimeAndStartsTheWork(AsyncTest test) {
        // The test clock starts at 2025-01-01T09:00:00Z; London is on GMT in January.
        ScheduleId id = test.millrace().schedule(test.tenant(), "nightly-invoices", "0 0 2 * * ?", new InvoiceRun(),
                ZoneId.of("Europe/London"));

        test.advanceClock(Duration.ofDays(2));

        assertThat(Sql.rows(test.dataSource(), "SELECT invoice FROM invoice_run ORDER BY fire_time"))
                .containsExactly("42", "42");   // the SendInvoice jobs it enqueued wait until something runs them
        ScheduleRecord s = test.millrace().schedules().find(test.tenant(), id).orElseThrow();
        assertThat(s.fireCount()).isEqualTo(2);
        assertThat(s.lastFireTime()).isEqualTo(Instant.parse("2025-01-03T02:00:00Z"));
        assertThat(s.nextFireTime()).isEqualTo(Instant.parse("2025-01-04T02:00:00Z"));
        assertThat(s.state()).isEqualTo(ScheduleState.WAITING);
        assertThat(test.assertEnqueued(SendInvoice.class).parentJobId()).isNotNull();
    }
}
