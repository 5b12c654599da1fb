package dev.millrace.bench;

import dev.millrace.Millrace;
import dev.millrace.TenantId;
import dev.millrace.event.ChannelDefinition;
import dev.millrace.event.DeliveryContext;
import dev.millrace.event.Event;
import dev.millrace.event.EventHandler;
import dev.millrace.event.EventRecord;
import dev.millrace.event.FieldType;
import dev.millrace.event.PublishResult;
import dev.millrace.event.Subscription;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;

/**
 * The event bus: bulk publish rate, delivery rate to one subscription, and publish → handler latency at a steady
 * rate. Absolute targets (there is no baseline for an event bus in this harness).
 */
@Command(name = "events", mixinStandardHelpOptions = true,
        description = {"Three measurements on one channel: (1) bulk publish of --jobs events (default "
                + EventsWorkload.DEFAULT_EVENTS + ") in calls of --chunk from --producers threads (default "
                + EventsWorkload.DEFAULT_PRODUCERS + "); (2) delivery of those events to one subscription (batch 2000)"
                + " by a started node; (3) publish -> handler latency at --rate events/s (default 1000) for --seconds.",
                "Targets on PostgreSQL: publish >= 50000 events/s, delivery >= 50000 events/s, latency p99 <= 20 ms."})
final class EventsWorkload implements Callable<Integer> {
    static final int DEFAULT_EVENTS = 200_000;
    static final int DEFAULT_PRODUCERS = 2;
    static final double PUBLISH_TARGET = 50_000;
    static final double DELIVERY_TARGET = 50_000;
    static final double P99_TARGET_MS = 20;
    static final TenantId TENANT = TenantId.of("t0");

    @Mixin
    BenchOptions options;

    @Option(names = "--chunk", defaultValue = "2000", description = "Events per publish call (default: ${DEFAULT-VALUE}).")
    int chunk;

    @Option(names = "--rate", defaultValue = "1000", description = "Events per second of the latency run (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--seconds", defaultValue = "10", description = "Length of the latency run (default: ${DEFAULT-VALUE}).")
    int seconds;

    /** Counts what the delivery subscription received. */
    public static final class Counter implements EventHandler {
        static final AtomicLong RECEIVED = new AtomicLong();
        static final AtomicLong LAST = new AtomicLong();

        @Override
        public void handle(List<EventRecord> events, DeliveryContext context) {
            RECEIVED.addAndGet(events.size());
            LAST.set(events.get(events.size() - 1).replayId());
        }
    }

    /** Records, per event, the time from its publish call to now (same JVM, so System.nanoTime compares). */
    public static final class LatencyHandler implements EventHandler {
        static volatile Histogram micros = Timed.histogram();
        static final AtomicLong RECEIVED = new AtomicLong();

        @Override
        public void handle(List<EventRecord> events, DeliveryContext context) {
            long now = System.nanoTime();
            for (EventRecord e : events) {
                long sent = e.getNumber("sentNanos").longValue();
                micros.recordValue(Math.max(0, (now - sent) / 1000));
            }
            RECEIVED.addAndGet(events.size());
        }
    }

    @Override
    public Integer call() throws Exception {
        options.validate();
        if (chunk < 1 || chunk > 100_000) throw new IllegalArgumentException("--chunk " + chunk + " is out of range: expected 1 to 100000");
        if (rate < 1 || rate > 100_000) throw new IllegalArgumentException("--rate " + rate + " is out of range: expected 1 to 100000");
        if (seconds < 1 || seconds > 3600) throw new IllegalArgumentException("--seconds " + seconds + " is out of range: expected 1 to 3600");
        int events = options.jobsOr(DEFAULT_EVENTS);
        int producers = options.producersOr(DEFAULT_PRODUCERS);
        try (BenchDb db = BenchDb.open(options)) {
            String schema = db.newSchema("events");
            DataSource pool = db.pool("millrace-events", options.workers + 6);
            Millrace.Builder builder = Millrace.builder().dataSource(pool).schema(schema).workers(options.workers)
                    .pollInterval(Duration.ofMillis(options.pollMs))
                    .registerHandler(Counter.class).registerHandler(LatencyHandler.class);
            try (Millrace m = builder.build()) {
                m.tenants().create(TENANT);
                // The bench publishes far more than the default 100,000 events an hour; the allocation is still counted.
                m.events().putPolicy(TENANT, dev.millrace.event.EventPolicy.DEFAULTS.withPublishPerHour(Integer.MAX_VALUE));
                m.events().declare(TENANT, ChannelDefinition.named("Bulk")
                        .field("orderId", FieldType.ID, true).field("amount", FieldType.NUMBER, true)
                        .field("note", FieldType.STRING, false));
                m.events().declare(TENANT, ChannelDefinition.named("Timed").field("sentNanos", FieldType.NUMBER, true));
                m.events().subscribe(TENANT, Subscription.of("count", "Bulk", Counter.class));

                // The baseline: the same rows into a plain table with the same key, one unnest INSERT per chunk,
                // no validation, no channel lock. It shows what the database gives right now on this machine.
                String raw = "\"" + schema + "\".raw_event";
                db.execute("CREATE TABLE " + raw + " (channel_id BIGINT, replay_id BIGINT, event_uuid UUID,"
                        + " published_at TIMESTAMPTZ, payload TEXT, PRIMARY KEY (channel_id, replay_id))");
                AtomicLong rawIds = new AtomicLong();

                // (1) Bulk publish, after a warm-up whose events the subscription also receives; rounds alternate
                // with the baseline so a noisy neighbour hurts both alike.
                int warm = Math.min(20_000, events / 10);
                Timed.run(producers, Math.max(1, warm / chunk), i -> publishChunk(m, i), Timed.histogram());
                Timed.run(producers, Math.max(1, warm / chunk), i -> rawChunk(pool, raw, rawIds), Timed.histogram());
                Histogram calls = Timed.histogram();
                int chunksPerRound = Math.max(1, events / chunk / options.rounds);
                Timed.Tally mr = new Timed.Tally();
                Timed.Tally bl = new Timed.Tally();
                for (int r = 0; r < options.rounds; r++) {
                    for (int k = 0; k < 2; k++) {
                        boolean isMillrace = (k == 0) == (r % 2 == 0);
                        long nanos = isMillrace
                                ? Timed.run(producers, chunksPerRound, i -> publishChunk(m, i), calls)
                                : Timed.run(producers, chunksPerRound, i -> rawChunk(pool, raw, rawIds), bl.calls);
                        (isMillrace ? mr : bl).add((long) chunksPerRound * chunk, nanos);
                    }
                }
                long published = mr.jobs + (long) Math.max(1, warm / chunk) * chunk;
                double publishRate = mr.jobsPerSec();
                double rawPublishRate = bl.jobsPerSec();
                double rawReadRate = rawRead(pool, raw);

                // (2) Delivery of everything published, by a node started now.
                long start = System.nanoTime();
                m.start();
                while (Counter.RECEIVED.get() < published) {
                    if (System.nanoTime() - start > TimeUnit.MINUTES.toNanos(10)) throw new IllegalStateException(
                            "delivery stalled at " + Counter.RECEIVED.get() + " of " + published);
                    Thread.sleep(5);
                }
                double deliveryRate = published / ((System.nanoTime() - start) / 1e9);

                // (3) Latency at a steady rate, one event per publish call (each its own transaction).
                m.events().subscribe(TENANT, Subscription.of("latency", "Timed", LatencyHandler.class));
                steady(m, Math.max(1, rate / 2), 2, Timed.histogram());     // warm-up, not recorded
                LatencyHandler.micros = Timed.histogram();
                LatencyHandler.RECEIVED.set(0);
                Histogram publishCalls = Timed.histogram();
                long sent = steady(m, rate, seconds, publishCalls);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (LatencyHandler.RECEIVED.get() < sent && System.nanoTime() < deadline) Thread.sleep(5);
                Histogram lat = LatencyHandler.micros;

                Result.of("events", options, db, events)
                        .put("chunk", chunk)
                        .put("producers", producers)
                        .put("publishEventsPerSec", publishRate)
                        .put("publishTarget", ">= " + (long) PUBLISH_TARGET)
                        .put("publishMet", publishRate >= PUBLISH_TARGET)
                        .put("baselinePublishEventsPerSec", rawPublishRate)
                        .put("publishRatio", publishRate / rawPublishRate)
                        .putLatency("publishCall", calls)
                        .put("deliveredEvents", published)
                        .put("deliveryEventsPerSec", deliveryRate)
                        .put("deliveryTarget", ">= " + (long) DELIVERY_TARGET)
                        .put("deliveryMet", deliveryRate >= DELIVERY_TARGET)
                        .put("baselineReadEventsPerSec", rawReadRate)
                        .put("deliveryRatio", deliveryRate / rawReadRate)
                        .put("latencyRate", rate)
                        .put("latencyEvents", lat.getTotalCount())
                        .putLatency("latency", lat)
                        // The publish call alone (its commit included): separates the database's stalls from delivery.
                        .putLatency("latencyPublishCall", publishCalls)
                        .put("latencyTarget", "p99 <= " + P99_TARGET_MS + " ms")
                        .put("latencyMet", Result.millis(lat, 99) <= P99_TARGET_MS)
                        .print();
            }
        }
        return 0;
    }

    private void publishChunk(Millrace m, int call) {
        List<Event> batch = new ArrayList<>(chunk);
        for (int j = 0; j < chunk; j++) {
            batch.add(Event.on("Bulk").with("orderId", "o-" + call + "-" + j).with("amount", j).with("note", "bench"));
        }
        List<PublishResult> results = m.events().publish(TENANT, batch);
        if (!results.get(0).isSuccess()) throw new IllegalStateException(results.get(0).message());
    }

    /** The baseline's chunk: the same row shape, one INSERT over arrays, autocommit. */
    private void rawChunk(DataSource pool, String table, AtomicLong ids) {
        int n = chunk;
        Long[] rid = new Long[n];
        java.util.UUID[] uuids = new java.util.UUID[n];
        String[] times = new String[n];
        String[] payloads = new String[n];
        long first = ids.getAndAdd(n);
        String now = java.time.Instant.now().toString();
        for (int j = 0; j < n; j++) {
            rid[j] = first + j;
            uuids[j] = java.util.UUID.randomUUID();
            times[j] = now;
            payloads[j] = "{\"orderId\":\"o-" + first + "-" + j + "\",\"amount\":" + j + ",\"note\":\"bench\"}";
        }
        try (java.sql.Connection c = pool.getConnection(); java.sql.PreparedStatement ps = c.prepareStatement(
                "INSERT INTO " + table + " SELECT 1, r, u, CAST(t AS TIMESTAMPTZ), p"
                        + " FROM unnest(?::bigint[], ?::uuid[], ?::text[], ?::text[]) AS v(r, u, t, p)")) {
            ps.setArray(1, c.createArrayOf("bigint", rid));
            ps.setArray(2, c.createArrayOf("uuid", uuids));
            ps.setArray(3, c.createArrayOf("text", times));
            ps.setArray(4, c.createArrayOf("text", payloads));
            ps.executeUpdate();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The baseline's delivery: one thread reading the raw rows in pages of 2000 by key; events per second. */
    private static double rawRead(DataSource pool, String table) throws java.sql.SQLException {
        long start = System.nanoTime();
        long after = -1;
        long rows = 0;
        try (java.sql.Connection c = pool.getConnection(); java.sql.PreparedStatement ps = c.prepareStatement(
                "SELECT replay_id, event_uuid, published_at, payload FROM " + table
                        + " WHERE channel_id = 1 AND replay_id > ? ORDER BY replay_id LIMIT 2000")) {
            while (true) {
                ps.setLong(1, after);
                int n = 0;
                try (java.sql.ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        after = rs.getLong(1);
                        rs.getObject(2, java.util.UUID.class);
                        rs.getObject(3, java.time.OffsetDateTime.class);
                        rs.getString(4);
                        n++;
                    }
                }
                rows += n;
                if (n == 0) break;
            }
        }
        return rows / ((System.nanoTime() - start) / 1e9);
    }

    /** Publishes {@code perSecond} single events a second for {@code secs} seconds on a fixed schedule. */
    private static long steady(Millrace m, int perSecond, int secs, Histogram calls) {
        long interval = 1_000_000_000L / perSecond;
        long total = (long) perSecond * secs;
        long next = System.nanoTime();
        for (long i = 0; i < total; i++) {
            long wait = next - System.nanoTime();
            if (wait > 0) LockSupport.parkNanos(wait);
            long t0 = System.nanoTime();
            m.events().publish(TENANT, List.of(Event.on("Timed").with("sentNanos", t0)));
            calls.recordValue((System.nanoTime() - t0) / 1000);
            next += interval;
        }
        return total;
    }
}
