package dev.millrace.bench;

import dev.millrace.AsyncOptions;
import dev.millrace.Millrace;
import dev.millrace.TenantId;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Fills a queue before a measurement (not timed as part of it): bulk enqueues in chunks, chunk i going to
 * tenant i mod tenants, on a few threads. Returns the load's own rate, which is worth reporting at depth.
 */
final class Loader {
    /** Jobs per enqueue call when filling a queue. */
    static final int CHUNK = 10_000;

    private Loader() {
    }

    /** Loads {@code jobs} untimed jobs into Millrace; returns the elapsed nanoseconds. */
    static long millrace(Millrace m, IntFunction<TenantId> tenantOfChunk, long jobs, int threads)
            throws InterruptedException {
        int chunks = (int) ((jobs + CHUNK - 1) / CHUNK);
        return Timed.run(threads, chunks, i -> {
            int n = (int) Math.min(CHUNK, jobs - (long) i * CHUNK);
            List<BenchJob> batch = new ArrayList<>(n);
            for (int j = 0; j < n; j++) batch.add(BenchJob.untimed());
            m.enqueueAll(tenantOfChunk.apply(i), batch, AsyncOptions.none());
        }, Timed.histogram());
    }

    /** Loads {@code jobs} untimed jobs into the baseline; returns the elapsed nanoseconds. */
    static long baseline(Setup s, long jobs, int threads) throws InterruptedException {
        int chunks = (int) ((jobs + CHUNK - 1) / CHUNK);
        return Timed.run(threads, chunks, i -> {
            int n = (int) Math.min(CHUNK, jobs - (long) i * CHUNK);
            List<String> batch = new ArrayList<>(n);
            for (int j = 0; j < n; j++) batch.add(BenchJob.untimed().toJson());
            s.baseline.enqueueAll(s.tenant(i).value(), batch);
        }, Timed.histogram());
    }
}
