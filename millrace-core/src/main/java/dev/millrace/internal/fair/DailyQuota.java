package dev.millrace.internal.fair;

import dev.millrace.LimitException;
import dev.millrace.TenantId;
import dev.millrace.internal.store.FairStore;
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
    private final Map<TenantId, TreeMap<Instant, Long>> mine = new ConcurrentHashMap<>();
    /** This node's executions not yet written, per hour and tenant. */
    private final Map<Instant, Map<TenantId, Long>> unflushed = new HashMap<>();
    private final Map<TenantId, Others> others = new ConcurrentHashMap<>();
    private final ReentrantLock flushing = new ReentrantLock();
    private volatile long flushedAtMillis;
    private volatile boolean background;

    private record Others(TreeMap<Instant, Long> perHour, long readAtMillis) {
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
        Instant now = clock.instant();
        Instant hour = now.truncatedTo(ChronoUnit.HOURS);
        Instant from = hour.minus(WINDOW).plus(Duration.ofHours(1));
        Others o = others(tenant, now, from);
        synchronized (this) {
            TreeMap<Instant, Long> my = mine.computeIfAbsent(tenant, k -> new TreeMap<>());
            if (!my.isEmpty() && my.firstKey().isBefore(from)) my.headMap(from).clear();
            // Summed in place: the merged per-hour map is built only to explain a refusal (a copy per enqueue was a
            // tenth of a single enqueue's client time).
            long used = 0;
            for (long c : my.values()) used += c;
            for (long c : o.perHour().tailMap(from).values()) used += c;
            if (used + n > allocation) {
                TreeMap<Instant, Long> all = new TreeMap<>(my);
                o.perHour().tailMap(from).forEach((h, c) -> all.merge(h, c, Long::sum));
                Instant oldest = all.isEmpty() ? hour : all.firstKey();
                Instant frees = all.isEmpty() ? now : oldest.plus(WINDOW);
                throw new LimitException("daily async execution allocation of tenant '" + tenant + "' is used up: "
                        + used + " of " + allocation + " executions in the last 24 hours (policy dailyAsyncExecutions)"
                        + (n > 1 ? ", and this enqueue asks for " + n + " more" : "") + "; it frees up from " + frees
                        + ", when the executions of the hour from " + oldest
                        + " leave the rolling 24 hours");
            }
            my.merge(hour, (long) n, Long::sum);
            unflushed.computeIfAbsent(hour, k -> new HashMap<>()).merge(tenant, (long) n, Long::sum);
        }
        if (!background && clock.millis() - flushedAtMillis >= REFRESH.toMillis()) flush();
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
            TreeMap<Instant, Long> my = mine.get(tenant);
            if (my != null) used += my.tailMap(from).values().stream().mapToLong(Long::longValue).sum();
        }
        return used;
    }

    /** Gives back executions accepted for jobs that were then not written (a failed or refused insert). */
    public void refund(TenantId tenant, int n) {
        if (n <= 0) return;
        Instant hour = clock.instant().truncatedTo(ChronoUnit.HOURS);
        synchronized (this) {
            TreeMap<Instant, Long> my = mine.get(tenant);
            if (my != null) my.computeIfPresent(hour, (h, c) -> Math.max(0, c - n));
            Map<TenantId, Long> pending = unflushed.get(hour);
            if (pending != null) pending.computeIfPresent(tenant, (t, c) -> c - n);
        }
    }

    private Others others(TenantId tenant, Instant now, Instant from) {
        Others o = others.get(tenant);
        long ms = now.toEpochMilli();
        if (o == null || (!background && ms - o.readAtMillis() >= REFRESH.toMillis())) {
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
