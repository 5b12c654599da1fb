package dev.millrace.internal.engine;

import dev.millrace.JobStatus;
import dev.millrace.JobType;
import dev.millrace.TenantId;
import dev.millrace.internal.store.ClaimedJob;
import dev.millrace.monitoring.EndedJob;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The jobs this node ended, kept in memory for metrics (wait and run time histograms) so that they need no read of
 * the job history. Each end is added once, after the commit that wrote it. Bounded and lock-free: adding never
 * waits, whatever the consumer does; past {@link #CAPACITY} waiting samples a new one is dropped and counted.
 * Nothing is kept until a consumer first takes (a node whose metrics nobody reads keeps nothing).
 */
final class EndedJobs {
    /** The most samples kept between two takes (a second of a fast node's ends, with room to spare). */
    static final int CAPACITY = 65_536;

    private final int capacity;
    private final ConcurrentLinkedQueue<EndedJob> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean taken;

    EndedJobs() {
        this(CAPACITY);
    }

    EndedJobs(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("capacity " + capacity + " is out of range: expected at least 1");
        this.capacity = capacity;
    }

    /** A claimed job this node ended, its end committed. */
    void ended(ClaimedJob job, JobStatus status, Instant completedAt) {
        if (!taken) return;
        add(job.tenant(), job.type(), status, job.runAt(), job.startedAt(), completedAt);
    }

    /**
     * A job this node ended, its end committed.
     *
     * @param runAt its earliest start
     * @param startedAt its last start, or null when it never started
     */
    void ended(TenantId tenant, JobType type, JobStatus status, Instant runAt, Instant startedAt, Instant completedAt) {
        if (!taken) return;
        add(tenant, type, status, runAt, startedAt, completedAt);
    }

    /** Chunk jobs a batch's end marked ABORTED without running them, that end committed: ends with no wait or run. */
    void ended(dev.millrace.internal.store.BatchStore.ChunksAborted chunks) {
        if (!taken) return;
        for (int i = 0; i < chunks.count(); i++) {
            add(chunks.tenant(), JobType.BATCH_CHUNK, JobStatus.ABORTED, null, null, chunks.at());
        }
    }

    private void add(TenantId tenant, JobType type, JobStatus status, Instant runAt, Instant startedAt,
                     Instant completedAt) {
        if (size.incrementAndGet() > capacity) {
            size.decrementAndGet();
            dropped.incrementAndGet();
            return;
        }
        Duration waited = startedAt == null || runAt == null ? null : positive(Duration.between(runAt, startedAt));
        Duration ran = startedAt == null ? null : positive(Duration.between(startedAt, completedAt));
        queue.add(new EndedJob(tenant, type, status, waited, ran, completedAt));
    }

    /**
     * Hands every sample waiting now to {@code sink}, in the order they were added, and starts keeping them if this
     * is the first take. Returns how many were dropped since the previous take.
     */
    long take(Consumer<? super EndedJob> sink) {
        taken = true;
        // Only what waits now: samples added meanwhile wait for the next take, so a take always ends.
        for (int n = size.get(); n > 0; n--) {
            EndedJob j = queue.poll();
            if (j == null) break;
            size.decrementAndGet();
            sink.accept(j);
        }
        return dropped.getAndSet(0);
    }

    private static Duration positive(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }
}
