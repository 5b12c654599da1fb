package dev.millrace;

import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class SmokeTest extends DatabaseTest {
    static final TenantId ACME = TenantId.of("acme");

    public static class Hello implements Queueable {
        String name;

        Hello() {
        }

        Hello(String name) {
            this.name = name;
        }

        @Override
        public void execute(QueueableContext context) {
            context.log().info("hello {0}", name);
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void enqueuedJobCompletes(Db db) {
        Millrace m = started(builder(db).register(Hello.class));
        tenants(m, ACME);
        JobId id = m.enqueue(ACME, new Hello("world"));
        await().atMost(Duration.ofSeconds(10)).until(() -> m.jobs().find(ACME, id).orElseThrow().status() == JobStatus.COMPLETED);
        assertThat(m.jobs().log(ACME, id)).extracting(JobLogEntry::message).contains("hello world");
    }
}
