package dev.millrace.server.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Watches a run drain: takes a {@link Census} of the run's jobs every so often (less often when counting
 * is slow), draws the progress bar, and decides when the run is over.
 *
 * <p>The run is over when nothing is active and exactly the expected number of jobs exists. Both halves are
 * needed. "Nothing active" alone is not proof: a census reads page by page, so a child committed together
 * with its parent's completion can fall on a page already read, and for that instant the run looks idle.
 * "All expected jobs ended" closes that gap, because the plan knows every job the run will make. If the run
 * stays idle with a different count, something was lost or invented, and waiting longer would not help: the
 * watcher reports a mismatch after {@link #SETTLE}.
 */
final class RunWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RunWatcher.class);
    /** How long a run must stay idle with the wrong count before it is called a mismatch. */
    static final Duration SETTLE = Duration.ofSeconds(3);
    private static final Duration RATE_WINDOW = Duration.ofSeconds(3);
    /** The longest pause between two counts, however slow counting gets. */
    static final Duration MAX_INTERVAL = Duration.ofSeconds(2);
    /**
     * A count reads every job of the run, and the workers share the cores and the database with it; pausing
     * this many times as long as the last count took keeps the watcher's share of the machine small.
     */
    static final int BACKOFF_FACTOR = 4;

    /** How a watch ended. */
    enum Outcome {
        /** Every expected job exists and has ended. */
        ENDED,
        /** Nothing is active, but the run has a different number of jobs than expected. */
        MISMATCH,
        /** The timeout passed with jobs still active. */
        TIMED_OUT
    }

    private record Sample(long nanos, int ended) {
    }

    private final Supplier<Census> census;
    private volatile int expected;
    private final ProgressBar bar;
    private final Duration interval;
    private final long startNanos = System.nanoTime();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("millrace-demo-watcher").daemon().unstarted(r));
    private final CompletableFuture<Outcome> outcome = new CompletableFuture<>();
    private final Deque<Sample> samples = new ArrayDeque<>();
    private volatile boolean enqueueDone;
    private volatile Census last = new Census(0, 0, 0, 0);
    private long idleSinceNanos = -1;
    private boolean warned;

    RunWatcher(Supplier<Census> census, int expected, ProgressBar bar, Duration interval) {
        this.census = census;
        this.expected = expected;
        this.bar = bar;
        this.interval = interval;
    }

    /** Starts watching. */
    void start() {
        timer.execute(this::tickAndReschedule);
    }

    private void tickAndReschedule() {
        long began = System.nanoTime();
        try {
            tick();
        } finally {
            if (!outcome.isDone() && !timer.isShutdown()) {
                long took = System.nanoTime() - began;
                long pause = Math.min(MAX_INTERVAL.toNanos(), Math.max(interval.toNanos(), BACKOFF_FACTOR * took));
                try {
                    timer.schedule(this::tickAndReschedule, pause, TimeUnit.NANOSECONDS);
                } catch (RejectedExecutionException e) {
                    // Closed meanwhile: the watch is over.
                }
            }
        }
    }

    /**
     * Says every root job is enqueued, and how many jobs the run will make in all now that it is known
     * exactly: from now on an idle run may be over.
     */
    void enqueueDone(int expectedJobs) {
        expected = expectedJobs;
        enqueueDone = true;
    }

    /** Waits until the run is over or the timeout passes, then stops watching and ends the progress line. */
    Outcome await(Duration timeout) throws InterruptedException {
        Outcome result;
        try {
            result = outcome.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            result = Outcome.TIMED_OUT;
        } catch (ExecutionException e) {
            throw new IllegalStateException("watching the run failed: " + e.getCause().getMessage(), e.getCause());
        }
        close();
        Census c = last;
        bar.finish(c.ended(), Math.max(expected, c.total()), detail(c), elapsed());
        return result;
    }

    /** The last census taken. */
    Census last() {
        return last;
    }

    /** Time since the watch began. */
    Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    /** Stops the timer; safe to call more than once. */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void tick() {
        Census c;
        try {
            c = census.get();
        } catch (RuntimeException e) {
            // A census can fail while the store is busy or going away; the next tick tries again and the
            // timeout bounds the wait. Said once on stderr, every time in the log file.
            if (!warned) LOG.warn("cannot count the run's jobs (will keep trying): {}", e.getMessage());
            else LOG.debug("cannot count the run's jobs", e);
            warned = true;
            return;
        }
        last = c;
        long now = System.nanoTime();
        samples.addLast(new Sample(now, c.ended()));
        while (samples.size() > 2 && now - samples.peekFirst().nanos() > RATE_WINDOW.toNanos()) samples.removeFirst();
        bar.update(c.ended(), Math.max(expected, c.total()), detail(c), elapsed());
        if (!enqueueDone) return;
        if (c.active() == 0 && c.total() == expected) {
            outcome.complete(Outcome.ENDED);
        } else if (c.active() == 0) {
            if (idleSinceNanos < 0) idleSinceNanos = now;
            if (now - idleSinceNanos >= SETTLE.toNanos()) outcome.complete(Outcome.MISMATCH);
        } else {
            idleSinceNanos = -1;
        }
    }

    /** The rate over the last few seconds and the failures so far. */
    private String detail(Census c) {
        double rate = 0;
        if (samples.size() >= 2) {
            Sample a = samples.peekFirst();
            Sample b = samples.peekLast();
            double seconds = (b.nanos() - a.nanos()) / 1e9;
            if (seconds > 0) rate = (b.ended() - a.ended()) / seconds;
        }
        return String.format(Locale.ROOT, "%,.0f jobs/s  %,d running  %,d failed", rate, c.running(), c.failed());
    }
}
