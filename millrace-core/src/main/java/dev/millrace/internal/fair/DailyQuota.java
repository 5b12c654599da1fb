package dev.millrace.internal.fair;

import dev.millrace.TenantId;
import dev.millrace.internal.store.FairStore;
import dev.millrace.limits.LimitException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The daily async execution allocation (SPEC.md LIM-6): async executions accepted for a tenant in the rolling 24
 * hours, counted per hour. Each node counts its own enqueues in memory and writes them to {@code mr_usage_hour} at
 * most once a second; it reads the other nodes' rows at most once a second per tenant. So the enqueue path costs a
 * map update, and a cluster of n nodes may overshoot the allocation by what the other nodes accept in about a second.
 * On a started node both happen on a background thread ({@link #maintain()}), so an enqueue never waits for them; a
 * client node (not started) does them on the enqueuing thread, at most once a second.
 */
public final class DailyQuota {
    private static final Logger LOG = LoggerFactory.getLogger(DailyQuota.class);
    static final Duration REFRESH = Duration.ofSeconds(1);
    static final Duration WINDOW = Duration.ofHours(24);

    private final FairStore store;
    private final InstantSource clock;
    private final String node;
    /** This node's accepted executions per tenant and hour. */
    private final Map<TenantId, Mine> mine = new ConcurrentHashMap<>();
    /** This node's executions not yet written, per hour and tenant. */
    private final Map<Instant, Map<TenantId, Long>> unflushed = new HashMap<>();
    private final Map<TenantId, Others> others = new ConcurrentHashMap<>();
    private final ReentrantLock flushing = new ReentrantLock();
    private volatile long flushedAtMillis;
    private volatile boolean background;

    /** The current hour and the first hour of the rolling window, kept while the clock stays in that hour. */
    private volatile Window window = new Window(Long.MIN_VALUE, Instant.EPOCH, Instant.EPOCH);

    private record Window(long hourSecond, Instant hour, Instant from) {
    }

    /**
     * One tenant's counts of this node, per hour, and their total: an enqueue adds to both instead of summing the
     * hours (guarded by the quota's monitor).
     */
    private static final class Mine {
        final TreeMap<Instant, Long> perHour = new TreeMap<>();
        long total;

        /** Drops the hours before {@code from}. */
        void dropBefore(Instant from) {
            if (perHour.isEmpty() || !perHour.firstKey().isBefore(from)) return;
            Map<Instant, Long> old = perHour.headMap(from);
            for (long c : old.values()) total -= c;
            old.clear();
        }
    }

    /**
     * The other nodes' counts of a tenant as last read, and their sum from the window's first hour (computed once per
     * window, guarded by the quota's monitor).
     */
    private static final class Others {
        final TreeMap<Instant, Long> perHour;
        final long readAtMillis;
        private Instant sumFrom;
        private long sum;

        Others(TreeMap<Instant, Long> perHour, long readAtMillis) {
            this.perHour = perHour;
            this.readAtMillis = readAtMillis;
        }

        long usedFrom(Instant from) {
            if (!from.equals(sumFrom)) {
                long s = 0;
                for (long c : perHour.tailMap(from).values()) s += c;
                sum = s;
                sumFrom = from;
            }
            return sum;
        }
    }

    public DailyQuota(FairStore store, InstantSource clock, String node) {
        this.store = store;
        this.clock = clock;
        this.node = node;
    }

    /**
     * Accepts {@code n} executions for the tenant, or throws {@link LimitException} naming the allocation, the usage and
     * when it frees up.
     */
    public void accept(TenantId tenant, int allocation, int n) {
        accept(tenant, allocation, n, clock.instant());
    }

    /** As {@link #accept(TenantId, int, int)} at {@code now}, a time the caller just read from the same clock. */
    public void accept(TenantId tenant, int allocation, int n, Instant now) {
        Window w = window(now);
        Instant hour = w.hour();
        Instant from = w.from();
        long nowMillis = now.toEpochMilli();
        Others o = others(tenant, nowMillis, from);
        synchronized (this) {
            Mine my = mine.get(tenant);
            if (my == null) mine.put(tenant, my = new Mine());
            my.dropBefore(from);
            // Running totals: the hours are summed only to explain a refusal (summing them at every enqueue, and
            // before that copying them, was a tenth of a single enqueue's client time).
            long used = my.total + o.usedFrom(from);
            if (used + n > allocation) {
                TreeMap<Instant, Long> all = new TreeMap<>(my.perHour);
                o.perHour.tailMap(from).forEach((h, c) -> all.merge(h, c, Long::sum));
                Instant oldest = all.isEmpty() ? hour : all.firstKey();
                Instant frees = all.isEmpty() ? now : oldest.plus(WINDOW);
                throw new LimitException("daily async execution allocation of tenant '" + tenant + "' is used up: "
                        + used + " of " + allocation + " executions in the last 24 hours (policy dailyAsyncExecutions)"
                        + (n > 1 ? ", and this enqueue asks for " + n + " more" : "") + "; it frees up from " + frees
                        + ", when the executions of the hour from " + oldest
                        + " leave the rolling 24 hours");
            }
            my.perHour.merge(hour, (long) n, Long::sum);
            my.total += n;
            unflushed.computeIfAbsent(hour, k -> new HashMap<>()).merge(tenant, (long) n, Long::sum);
        }
        if (!background && nowMillis - flushedAtMillis >= REFRESH.toMillis()) flush();
    }

    /** The hour of {@code now} and the window's first hour, made anew only when the hour changes. */
    private Window window(Instant now) {
        long second = now.getEpochSecond();
        long hourSecond = second - Math.floorMod(second, 3600L);
        Window w = window;
        if (w.hourSecond() != hourSecond) {
            Instant hour = Instant.ofEpochSecond(hourSecond);
            w = new Window(hourSecond, hour, hour.minus(WINDOW).plus(Duration.ofHours(1)));
            window = w;
        }
        return w;
    }

    /** From now on a background thread calls {@link #maintain()}: enqueues neither write nor re-read counts. */
    public void inBackground(boolean on) {
        this.background = on;
    }

    /** Writes this node's counts and re-reads the other nodes' for every tenant seen: the background thread's pass. */
    public void maintain() {
        flush();
        Instant now = clock.instant();
        Instant from = now.truncatedTo(ChronoUnit.HOURS).minus(WINDOW).plus(Duration.ofHours(1));
        for (TenantId tenant : others.keySet()) {
            others.put(tenant, new Others(new TreeMap<>(store.executions(tenant, from, node)), now.toEpochMilli()));
        }
    }

    /**
     * Async executions accepted for the tenant in the rolling 24 hours: this node's from memory, the other nodes'
     * read from the store now (so it may miss what they accepted in the last second).
     */
    public long used(TenantId tenant) {
        Instant now = clock.instant();
        Instant from = now.truncatedTo(ChronoUnit.HOURS).minus(WINDOW).plus(Duration.ofHours(1));
        long used = store.executions(tenant, from, node).entrySet().stream()
                .filter(e -> !e.getKey().isBefore(from)).mapToLong(Map.Entry::getValue).sum();
        synchronized (this) {
            Mine my = mine.get(tenant);
            if (my != null) used += my.perHour.tailMap(from).values().stream().mapToLong(Long::longValue).sum();
        }
        return used;
    }

    /** Gives back executions accepted for jobs that were then not written (a failed or refused insert). */
    public void refund(TenantId tenant, int n) {
        if (n <= 0) return;
        Instant hour = clock.instant().truncatedTo(ChronoUnit.HOURS);
        synchronized (this) {
            Mine my = mine.get(tenant);
            Long had = my == null ? null : my.perHour.get(hour);
            if (had != null) {
                long left = Math.max(0, had - n);
                my.perHour.put(hour, left);
                my.total -= had - left;
            }
            Map<TenantId, Long> pending = unflushed.get(hour);
            if (pending != null) pending.computeIfPresent(tenant, (t, c) -> c - n);
        }
    }

    private Others others(TenantId tenant, long ms, Instant from) {
        Others o = others.get(tenant);
        if (o == null || (!background && ms - o.readAtMillis >= REFRESH.toMillis())) {
            TreeMap<Instant, Long> perHour = new TreeMap<>(store.executions(tenant, from, node));
            o = new Others(perHour, ms);
            others.put(tenant, o);
        }
        return o;
    }

    /** Writes this node's counts not yet written; one thread at a time, the others skip. */
    public void flush() {
        if (!flushing.tryLock()) return;
        try {
            Map<Instant, Map<TenantId, Long>> batch;
            synchronized (this) {
                if (unflushed.isEmpty()) {
                    flushedAtMillis = clock.millis();
                    return;
                }
                batch = new HashMap<>(unflushed);
                unflushed.clear();
            }
            try {
                batch.forEach((hour, counts) -> store.addExecutions(node, hour, counts));
            } catch (RuntimeException e) {
                LOG.warn("writing execution counts failed, retrying with the next enqueue: {}", e.toString());
                synchronized (this) {
                    batch.forEach((hour, counts) -> counts.forEach((t, c) ->
                            unflushed.computeIfAbsent(hour, k -> new HashMap<>()).merge(t, c, Long::sum)));
                }
            }
            flushedAtMillis = clock.millis();
        } finally {
            flushing.unlock();
        }
    }
}
