package dev.millrace;

import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static dev.millrace.testing.Jobs.awaitTerminal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Tenants do not wait behind each other's backlogs. */
class FairnessTest extends DatabaseTest {
    static final TenantId FLOOD = TenantId.of("flood");
    static final TenantId SMALL = TenantId.of("small");
    static final List<String> STARTS = Collections.synchronizedList(new ArrayList<>());

    /** Takes a few milliseconds, like real work, so the flood's backlog lasts. */
    static class Work implements Queueable {
        String tag;

        Work() {
        }

        Work(String tag) {
            this.tag = tag;
        }

        @Override
        public void execute(QueueableContext context) throws InterruptedException {
            STARTS.add(tag);
            Thread.sleep(3);
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aSmallTenantsJobOvertakesAnotherTenantsBacklog(Db db) {
        STARTS.clear();
        Millrace m = node(builder(db).workers(1).claimBatchSize(2).register(Work.class));
        m.tenants().create(FLOOD);
        m.tenants().create(SMALL);
        List<Work> flood = new ArrayList<>();
        for (int i = 0; i < 400; i++) flood.add(new Work("flood"));
        m.enqueueAll(FLOOD, flood, AsyncOptions.none());
        m.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> STARTS.size() >= 20);
        JobId small = m.enqueue(SMALL, new Work("small"));
        int before = STARTS.size();
        assertThat(awaitTerminal(m, SMALL, small).status()).isEqualTo(JobStatus.COMPLETED);
        int position = STARTS.indexOf("small");
        // Ahead of it at most: what was already claimed (one running, one prefetched),
        // and one pass whose rotation began with the flooding tenant. Not the 380 jobs of the backlog.
        assertThat(position - before).as("starts ahead of the small tenant: %s", STARTS.subList(before, position + 1))
                .isLessThanOrEqualTo(4);
        assertThat(STARTS.size()).isLessThan(400);
    }
}
