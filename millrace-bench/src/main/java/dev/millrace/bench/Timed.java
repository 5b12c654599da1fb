package dev.millrace.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.SynchronizedHistogram;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

/**
 * Timing helpers shared by the workloads: producer threads that time each call, and a tally that adds up
 * several rounds of one system so alternating rounds can be compared as totals.
 */
final class Timed {
    private static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(10);

    private Timed() {
    }

    /** A new histogram of microseconds, safe to record into from several threads. */
    static Histogram histogram() {
        return new SynchronizedHistogram(HIGHEST_MICROS, 3);
    }

    /** The jobs, elapsed time and per-call latencies of one system over all its rounds. */
    static final class Tally {
        final Histogram calls = histogram();
        long jobs;
        long nanos;
        /** This process's CPU time over the tallied rounds (every thread, the collector's too). */
        long cpuNanos;

        void add(long jobs, long nanos) {
            this.jobs += jobs;
            this.nanos += nanos;
        }

        /** The process's CPU time per job over the tallied rounds, in microseconds. */
        double cpuMicrosPerJob() {
            return cpuNanos / 1e3 / jobs;
        }

        double jobsPerSec() {
            return jobs / (nanos / 1e9);
        }
    }

    /**
     * Runs {@code calls} calls of {@code action} (given the call's index) on {@code producers} threads that
     * start together, records each call's duration in {@code latencies}, and returns the elapsed nanoseconds
     * from the start until the last call returned.
     */
    static long run(int producers, int calls, IntConsumer action, Histogram latencies) throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch ready = new CountDownLatch(producers);
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            threads.add(Thread.ofPlatform().name("bench-producer-" + p).start(() -> {
                ready.countDown();
                try {
                    go.await();
                    for (int i = next.getAndIncrement(); i < calls && failure.get() == null; i = next.getAndIncrement()) {
                        long t0 = System.nanoTime();
                        action.accept(i);
                        latencies.recordValue((System.nanoTime() - t0) / 1000);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        ready.await();
        long start = System.nanoTime();
        go.countDown();
        for (Thread t : threads) t.join();
        long elapsed = System.nanoTime() - start;
        if (failure.get() != null) throw new IllegalStateException("a producer failed: " + failure.get(), failure.get());
        return elapsed;
    }

    /** Sleeps until {@code deadline} ({@link System#nanoTime()}); returns at once when it has passed. */
    static void sleepUntil(long deadline) {
        long left;
        while ((left = deadline - System.nanoTime()) > 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(left);
        }
    }

    /** Polls {@code count} until it reaches 0; returns {@link System#nanoTime()} then (a stuck run throws). */
    static long awaitZero(java.util.function.LongSupplier count, long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (count.getAsLong() > 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("rows still queued after " + timeoutMillis + " ms");
            }
            sleepUntil(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20));
        }
        return System.nanoTime();
    }
}
