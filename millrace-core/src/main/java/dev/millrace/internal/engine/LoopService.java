package dev.millrace.internal.engine;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * A background service: one thread running one loop. {@link #start()} is idempotent, {@link #stop()} waits
 * for the loop to end, {@link #wake()} cuts the current wait short. Subclasses do one pass in {@link #tick()}
 * and say how long to wait before the next.
 */
abstract class LoopService {
    private static final Duration ERROR_BACKOFF = Duration.ofSeconds(1);

    private final String name;
    private final Object lock = new Object();
    private final Logger log = LoggerFactory.getLogger(getClass());
    private boolean woken;
    private volatile boolean running;
    private Thread thread;

    LoopService(String name) {
        this.name = name;
    }

    /** One pass; returns how long to wait before the next one ({@link Duration#ZERO} for at once). */
    abstract Duration tick();

    final synchronized void start() {
        if (running) return;
        running = true;
        thread = Thread.ofPlatform().daemon().name(name).start(this::loop);
    }

    /** Ends the loop after its current pass and waits for it. */
    final void stop() {
        Thread t;
        synchronized (this) {
            if (!running) return;
            running = false;
            t = thread;
        }
        wake();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Cuts the current wait short, or makes the next wait return at once. */
    final void wake() {
        synchronized (lock) {
            woken = true;
            lock.notifyAll();
        }
    }

    private void loop() {
        while (running) {
            Duration wait;
            try {
                wait = tick();
            } catch (RuntimeException e) {
                log.warn("{} pass failed, retrying in {}: {}", name, ERROR_BACKOFF, e.toString());
                log.debug("{} failure", name, e);
                wait = ERROR_BACKOFF;
            }
            await(wait);
        }
    }

    private void await(Duration wait) {
        synchronized (lock) {
            long deadline = System.nanoTime() + wait.toNanos();
            while (!woken && running) {
                long left = deadline - System.nanoTime();
                if (left <= 0) break;
                try {
                    lock.wait(Math.max(1, left / 1_000_000), 0);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            woken = false;
        }
    }
}
