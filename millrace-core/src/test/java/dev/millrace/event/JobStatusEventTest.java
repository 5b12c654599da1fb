package dev.millrace.event;

import dev.millrace.JobId;
import dev.millrace.JobStatus;
import dev.millrace.Millrace;
import dev.millrace.Queueable;
import dev.millrace.QueueableContext;
import dev.millrace.TenantId;
import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import dev.millrace.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static dev.millrace.testing.Jobs.awaitStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Job status events for the changes no job execution makes itself: an abort before the job started, and the
 * rescuer re-queuing or failing a job whose node stopped renewing its lease. The zombie is a node that was never
 * started: it runs a job inline on a test thread and never renews the lease, as a stalled node would.
 */
class JobStatusEventTest extends DatabaseTest {
    static final TenantId ACME = TenantId.of("acme");
    static final Duration LEASE = Duration.ofSeconds(1);
    static final List<String> SEEN = new CopyOnWriteArrayList<>();
    static volatile CountDownLatch started = new CountDownLatch(1);
    static volatile CountDownLatch gate = new CountDownLatch(1);

    private final ExecutorService zombieThreads = Executors.newCachedThreadPool();

    @AfterEach
    void releaseZombies() throws InterruptedException {
        gate.countDown();
        zombieThreads.shutdownNow();
        zombieThreads.awaitTermination(10, TimeUnit.SECONDS);
    }

    /** Records every job status event as "id TYPE OLD->NEW". */
    public static final class Watcher implements EventHandler {
        @Override
        public void handle(List<EventRecord> events, DeliveryContext context) {
            for (EventRecord e : events) {
                SEEN.add(e.getString("jobId") + " " + e.getString("jobType") + " " + e.getString("oldStatus") + "->"
                        + e.getString("newStatus"));
            }
        }
    }

    /** Waits at the gate on its first attempt only. */
    public static final class Gated implements Queueable {
        @Override
        public void execute(QueueableContext context) throws Exception {
            if (context.attempt() > 1) return;
            started.countDown();
            gate.await(60, TimeUnit.SECONDS);
        }
    }

    private void reset() {
        SEEN.clear();
        started = new CountDownLatch(1);
        gate = new CountDownLatch(1);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aJobAbortedBeforeItStartedIsPublished(Db db) {
        reset();
        Millrace m = node(builder(db).registerHandler(Watcher.class).register(Gated.class));
        m.tenants().create(ACME);
        m.events().subscribe(ACME, Subscription.of("watch", Events.JOB_STATUS_CHANNEL, Watcher.class));
        JobId id = m.enqueue(ACME, new Gated());
        m.jobs().abort(ACME, id);
        m.events().deliverNow(ACME);
        assertThat(SEEN).containsExactly(id + " QUEUEABLE QUEUED->ABORTED");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aJobReQueuedByTheRescuerIsPublishedThenItsRunElsewhere(Db db) throws Exception {
        JobId id = zombieRun(db, 3);
        Millrace rescuer = started(builder(db).nodeId("rescuer").lease(LEASE).maxAttempts(3)
                .registerHandler(Watcher.class).register(Gated.class));
        awaitStatus(rescuer, ACME, id, JobStatus.COMPLETED);
        await().atMost(Duration.ofSeconds(30)).until(() -> SEEN.size() >= 3);
        assertThat(SEEN).containsExactly(id + " QUEUEABLE PROCESSING->QUEUED", id + " QUEUEABLE QUEUED->PROCESSING",
                id + " QUEUEABLE PROCESSING->COMPLETED");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aJobFailedByTheRescuerIsPublished(Db db) throws Exception {
        JobId id = zombieRun(db, 1);
        Millrace rescuer = started(builder(db).nodeId("rescuer").lease(LEASE).maxAttempts(1)
                .registerHandler(Watcher.class).register(Gated.class));
        awaitStatus(rescuer, ACME, id, JobStatus.FAILED);
        await().atMost(Duration.ofSeconds(30)).until(() -> !SEEN.isEmpty());
        assertThat(SEEN).containsExactly(id + " QUEUEABLE PROCESSING->FAILED");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aJobWhoseLeaseExpiredBeforeTheRescuerStartedIsPublished(Db db) throws Exception {
        // A node's rescuer makes its first pass as the node starts: the node must know by then which tenants
        // subscribe, or the status changes of that pass are lost.
        MutableClock clock = MutableClock.now();
        JobId id = zombieRun(db, clock, 1);
        clock.advance(LEASE.multipliedBy(2));
        Millrace rescuer = started(builder(db).clock(clock).nodeId("rescuer").lease(LEASE).maxAttempts(1)
                .registerHandler(Watcher.class).register(Gated.class));
        awaitStatus(rescuer, ACME, id, JobStatus.FAILED);
        await().atMost(Duration.ofSeconds(30)).until(() -> !SEEN.isEmpty());
        assertThat(SEEN).containsExactly(id + " QUEUEABLE PROCESSING->FAILED");
    }

    /** A job the zombie started and holds without renewing its lease; the watcher subscribes before. */
    private JobId zombieRun(Db db, int maxAttempts) throws Exception {
        return zombieRun(db, java.time.InstantSource.system(), maxAttempts);
    }

    private JobId zombieRun(Db db, java.time.InstantSource clock, int maxAttempts) throws Exception {
        reset();
        Millrace zombie = node(builder(db).clock(clock).nodeId("zombie").lease(LEASE).maxAttempts(maxAttempts)
                .register(Gated.class));
        zombie.tenants().create(ACME);
        zombie.events().subscribe(ACME, Subscription.of("watch", Events.JOB_STATUS_CHANNEL, Watcher.class));
        JobId id = zombie.enqueue(ACME, new Gated());
        zombieThreads.submit(() -> zombie.runReadyJobs(ACME, 1));
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
        return id;
    }
}
