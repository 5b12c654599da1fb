package dev.millrace.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the baseline queue's jobs the way Millrace's node runs its own, so the comparison is of the store and
 * the engine's overhead, not of the threading: one dispatcher thread claims batches into a pool of workers,
 * keeping at most workers + batch/2 jobs in flight and claiming again once no more than a worker's worth is
 * left; one completer thread deletes finished rows, as many per statement as have piled up (up to 1,000).
 */
final class BaselineNode implements AutoCloseable {
    private static final int MAX_COMPLETION_BATCH = 1000;
    private static final long IDLE_WAIT_MILLIS = 50;

    private final SkipLockedQueue queue;
    private final int batch;
    private final int maxInFlight;
    private final int refillAt;
    private final ExecutorService workers;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final LinkedBlockingQueue<Long> done = new LinkedBlockingQueue<>();
    private final Object wakeup = new Object();
    private boolean woken;
    private volatile boolean running = true;
    private volatile boolean starved;
    private final Thread dispatcher;
    private final Thread completer;

    BaselineNode(SkipLockedQueue queue, int workerCount, int batch) {
        this.queue = queue;
        this.batch = batch;
        this.maxInFlight = workerCount + Math.max(1, batch / 2);
        this.refillAt = workerCount;
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(workerCount, workerCount, 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), r -> Thread.ofPlatform().name("baseline-worker-" + n.incrementAndGet())
                .daemon().unstarted(r));
        this.dispatcher = Thread.ofPlatform().name("baseline-dispatcher").daemon().unstarted(this::dispatch);
        this.completer = Thread.ofPlatform().name("baseline-completer").daemon().unstarted(this::complete);
    }

    /** Starts claiming and running. */
    BaselineNode start() {
        dispatcher.start();
        completer.start();
        return this;
    }

    private void dispatch() {
        while (running) {
            int flying = inFlight.get();
            int free = maxInFlight - flying;
            if (free <= 0 || (starved && flying > refillAt)) {
                starved = true;
                pause(1000);
                continue;
            }
            starved = false;
            List<SkipLockedQueue.Claimed> jobs;
            try {
                jobs = queue.claim(Math.min(free, batch));
            } catch (RuntimeException e) {
                System.err.println("baseline claim failed, retrying: " + e.getMessage());
                pause(1000);
                continue;
            }
            if (jobs.isEmpty()) {
                pause(IDLE_WAIT_MILLIS);
                continue;
            }
            for (SkipLockedQueue.Claimed job : jobs) {
                inFlight.incrementAndGet();
                workers.execute(() -> run(job));
            }
        }
    }

    private void run(SkipLockedQueue.Claimed job) {
        try {
            BenchJob.fromJson(job.payload()).run(job.tenant());
            done.add(job.id());
        } finally {
            int left = inFlight.decrementAndGet();
            if (starved && left <= refillAt) wake();
        }
    }

    private void complete() {
        List<Long> ids = new ArrayList<>();
        while (running || !done.isEmpty()) {
            try {
                Long first = done.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) continue;
                ids.add(first);
                done.drainTo(ids, MAX_COMPLETION_BATCH - 1);
                queue.complete(ids);
                ids.clear();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // Put them back: a row is deleted only once its job ran, never dropped (at least once).
                done.addAll(ids);
                ids.clear();
                System.err.println("baseline completion failed, retrying: " + e.getMessage());
            }
        }
    }

    private void wake() {
        synchronized (wakeup) {
            woken = true;
            wakeup.notifyAll();
        }
    }

    private void pause(long millis) {
        // A wake that came before this wait is not lost: the flag makes the wait return at once.
        synchronized (wakeup) {
            try {
                if (!woken) wakeup.wait(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            }
            woken = false;
        }
    }

    /** Stops claiming, lets running jobs finish and writes their completions. */
    @Override
    public void close() {
        running = false;
        wake();
        try {
            dispatcher.join(5000);
            workers.shutdown();
            workers.awaitTermination(10, TimeUnit.SECONDS);
            completer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
