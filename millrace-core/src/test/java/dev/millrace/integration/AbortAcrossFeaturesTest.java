package dev.millrace.integration;

import dev.millrace.JobId;
import dev.millrace.JobRecord;
import dev.millrace.JobStatus;
import dev.millrace.Millrace;
import dev.millrace.Queueable;
import dev.millrace.QueueableContext;
import dev.millrace.TenantId;
import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static dev.millrace.testing.Jobs.awaitStatus;
import static dev.millrace.testing.Jobs.awaitTerminal;
import static org.assertj.core.api.Assertions.assertThat;

/** Abort of jobs in the states the features added: claimed but not started (prefetched, or claimed ahead). */
class AbortAcrossFeaturesTest extends DatabaseTest {
    static final TenantId ACME = TenantId.of("acme");
    static final ConcurrentLinkedQueue<String> RAN = new ConcurrentLinkedQueue<>();

    /** Holds its worker until released. */
    public static class Blocker implements Queueable {
        static volatile CountDownLatch started = new CountDownLatch(1);
        static volatile CountDownLatch release = new CountDownLatch(1);

        @Override
        public void execute(QueueableContext context) throws InterruptedException {
            started.countDown();
            release.await(30, TimeUnit.SECONDS);
        }
    }

    /** Records that it ran. */
    public static class Mark implements Queueable {
        public String name;

        public Mark() {
        }

        Mark(String name) {
            this.name = name;
        }

        @Override
        public void execute(QueueableContext context) {
            RAN.add(name);
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aJobClaimedButNotYetStartedEndsAbortedAndNeverRuns(Db db) throws Exception {
        RAN.clear();
        Blocker.started = new CountDownLatch(1);
        Blocker.release = new CountDownLatch(1);
        Millrace m = started(builder(db).workers(1).register(Blocker.class).register(Mark.class));
        tenants(m, ACME);
        JobId blocker = m.enqueue(ACME, new Blocker());
        assertThat(Blocker.started.await(20, TimeUnit.SECONDS)).isTrue();
        JobId waiting = m.enqueue(ACME, new Mark("prefetched"));
        // Claimed by this node (it prefetches beyond its one worker), waiting for the worker.
        awaitStatus(m, ACME, waiting, JobStatus.PROCESSING);
        m.jobs().abort(ACME, waiting);
        Blocker.release.countDown();
        awaitTerminal(m, ACME, blocker);
        JobRecord job = awaitTerminal(m, ACME, waiting);
        assertThat(job.status()).isEqualTo(JobStatus.ABORTED);
        assertThat(RAN).doesNotContain("prefetched");
    }
}
