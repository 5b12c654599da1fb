package dev.millrace.examples;

import dev.millrace.JobId;
import dev.millrace.JobType;
import dev.millrace.test.AsyncTest;
import dev.millrace.test.MillraceTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Tour, futures: a static method with simple arguments, copied at the call; unlike Salesforce, it has a job id. */
@MillraceTest(futures = Notifications.class)
class NotificationsTest {

    @BeforeEach
    void outbox(AsyncTest test) {
        Sql.execute(test.dataSource(), Outbox.CREATE_TABLE);
    }

    @Test
    void welcomeRunsAtStopTest(AsyncTest test) {
        List<String> tags = new ArrayList<>(List.of("vip"));
        test.startTest();
        JobId id = test.millrace().enqueueFuture(test.tenant(), Notifications.class, "welcome", "ada@example.com", tags);
        tags.clear();                                   // the future got a copy
        test.assertEnqueued(Notifications.class, "welcome");
        test.stopTest();

        assertThat(test.assertCompleted(id).type()).isEqualTo(JobType.FUTURE);
        assertThat(Sql.rows(test.dataSource(), "SELECT recipient, message FROM outbox"))
                .containsExactly("ada@example.com | welcome, valued customer");
    }
}
