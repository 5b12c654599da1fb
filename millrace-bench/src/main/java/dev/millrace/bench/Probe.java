package dev.millrace.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.SynchronizedHistogram;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The in-process signal every {@link BenchJob} reports to when it starts: a count of started jobs, the time
 * each multiple of a window was reached, and the wait of timed jobs (sent → started) in one histogram per tag.
 * One probe is installed at a time; a workload installs a fresh one per measurement.
 */
public final class Probe {
    /** Tags 1..MAX_TAG are recorded; larger ones are ignored. */
    static final int MAX_TAG = 7;
    private static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(10);

    private static volatile Probe current = new Probe(0);

    private final AtomicLong started = new AtomicLong();
    private final AtomicLong startedByTenant0 = new AtomicLong();
    private final String countedTenant;
    private final int window;
    private final long[] windowReachedAt;
    private final Histogram[] waits = new Histogram[MAX_TAG + 1];
    private final java.util.concurrent.ConcurrentHashMap<String, Long> timedStarts = new java.util.concurrent.ConcurrentHashMap<>();
    private final Object done = new Object();
    private volatile long target = Long.MAX_VALUE;
    private volatile long targetReachedAt;

    private Probe(int window) {
        this(window, 0, null);
    }

    private Probe(int window, int windows, String countedTenant) {
        this.window = window;
        this.windowReachedAt = new long[windows + 1];
        this.countedTenant = countedTenant;
        for (int i = 1; i <= MAX_TAG; i++) waits[i] = new SynchronizedHistogram(HIGHEST_MICROS, 3);
    }

    /** Installs and returns a fresh probe that only counts and records waits. */
    static Probe install() {
        return install(0, 0, null);
    }

    /**
     * Installs a fresh probe that also notes when the count reaches each multiple of {@code window} (up to
     * {@code windows} of them) and separately counts the jobs of {@code countedTenant} (may be null).
     */
    static Probe install(int window, int windows, String countedTenant) {
        Probe p = new Probe(window, windows, countedTenant);
        current = p;
        return p;
    }

    /** Called by every bench job when it starts. */
    static void started(String tenant, long sentAt, int tag) {
        started(tenant, sentAt, tag, null);
    }

    /** Called by a bench job that knows its id: timed jobs also note when they started, by id. */
    static void started(String tenant, long sentAt, int tag, String jobId) {
        long now = System.nanoTime();
        Probe p = current;
        if (tag > 0 && tag <= MAX_TAG && sentAt != 0) {
            p.waits[tag].recordValue(Math.max(0, (now - sentAt) / 1000));
            if (jobId != null) p.timedStarts.put(jobId, now);
        }
        if (p.countedTenant != null && p.countedTenant.equals(tenant)) p.startedByTenant0.incrementAndGet();
        long n = p.started.incrementAndGet();
        if (p.window > 0 && n % p.window == 0 && n / p.window < p.windowReachedAt.length) {
            p.windowReachedAt[(int) (n / p.window)] = now;
        }
        if (n >= p.target) {
            if (n == p.target) p.targetReachedAt = now;
            synchronized (p.done) {
                p.done.notifyAll();
            }
        }
    }

    /** Jobs started since this probe was installed. */
    long started() {
        return started.get();
    }

    /** Jobs of the counted tenant started since this probe was installed. */
    long startedOfCountedTenant() {
        return startedByTenant0.get();
    }

    /** {@link System#nanoTime()} when the count reached {@code k × window}, or 0 if it has not yet. */
    long windowReachedAt(int k) {
        return windowReachedAt[k];
    }

    /** When the timed job with this id started ({@link System#nanoTime()}), or null if it has not. */
    Long startedAt(String jobId) {
        return timedStarts.get(jobId);
    }

    /** The waits recorded under a tag, in microseconds. */
    Histogram waits(int tag) {
        return waits[tag];
    }

    /**
     * Waits until {@code n} jobs have started; returns {@link System#nanoTime()} when the n-th started, or
     * throws when they did not start within the timeout (a stuck run must not hang the bench).
     */
    long awaitStarted(long n, long timeoutMillis) throws InterruptedException {
        long seenAt = System.nanoTime();
        target = n;
        // The n-th job may have started before the target was set: then this call's own clock is the best bound.
        if (started.get() >= n && targetReachedAt == 0) return seenAt;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        synchronized (done) {
            while (started.get() < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("only " + started.get() + " of " + n + " jobs started within "
                            + timeoutMillis + " ms");
                }
                done.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
        long at = targetReachedAt;
        return at != 0 ? at : System.nanoTime();
    }
}
