package dev.millrace.server.metrics;

import dev.millrace.JobStatus;
import dev.millrace.Millrace;
import dev.millrace.TenantId;
import dev.millrace.fair.FairShare;
import dev.millrace.monitoring.EndedJob;
import dev.millrace.monitoring.JobCount;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;

/**
 * The server's Prometheus metrics. Job figures come from the store, sampled by one background loop: jobs by
 * tenant, type and status and queue depth per tenant (gauges, for the whole cluster). This node's ended jobs with
 * their wait and run times (histograms and a counter, so each node reports only its own and sums add up) come from
 * the node's memory ({@link dev.millrace.monitoring.Monitoring#takeEnded}), taken every second by the same loop: no
 * store read, whatever the history retained; ends the node had to drop (too many between two takes) are counted.
 * HTTP requests are timed by route and status. Subscription lag is sampled with the jobs; the resource governor's
 * state, allowed executions and in-flight jobs are read from the node at each scrape, and so is fair dispatch per
 * tenant and job type (SPEC.md FAIR-7: worker seconds, starts, deferrals, running jobs, tier, domination; a lane is
 * registered by the sampler the first time the node serves it).
 */
public final class ServerMetrics implements AutoCloseable {
    /** How often the store is sampled. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
    /** How often this node's ended jobs are taken, between passes too (the node keeps a bounded number). */
    static final Duration TAKE_INTERVAL = Duration.ofSeconds(1);
    private static final Logger LOG = LoggerFactory.getLogger(ServerMetrics.class);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Millrace millrace;
    private final Duration interval;
    private final MultiGauge jobs;
    private final MultiGauge queueDepth;
    private final MultiGauge subscriptionLag;
    private final Map<String, Timer> waits = new ConcurrentHashMap<>();
    private final Map<String, Timer> runs = new ConcurrentHashMap<>();
    private final Map<String, Counter> ended = new ConcurrentHashMap<>();
    private final ToLongFunction<Consumer<EndedJob>> endedSource;
    private final Counter endedDropped;
    private final java.util.Set<String> fairLanes = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile Map<String, FairShare> fairShares = Map.of();
    private volatile long fairSharesAtNanos;
    private final Object lock = new Object();
    private Thread thread;
    private volatile boolean running;

    /** Metrics of this node; start the sampler with {@link #start()}. */
    public ServerMetrics(Millrace millrace, Duration interval) {
        this(millrace, interval, sink -> millrace.monitoring().takeEnded(sink));
    }

    /** Metrics whose ended jobs come from {@code endedSource} (a test's), which returns the ends it dropped. */
    ServerMetrics(Millrace millrace, Duration interval,
                  ToLongFunction<Consumer<EndedJob>> endedSource) {
        this.millrace = millrace;
        this.endedSource = endedSource;
        this.interval = interval;
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        jobs = MultiGauge.builder("millrace.jobs").description("jobs in the store by tenant, type and status")
                .register(registry);
        queueDepth = MultiGauge.builder("millrace.queue.depth")
                .description("queued and holding jobs per tenant").register(registry);
        subscriptionLag = MultiGauge.builder("millrace.subscription.lag")
                .description("events of a subscription's channel after its checkpoint (its worst partition's)")
                .register(registry);
        // The resource governor's state is read from memory at each scrape: 1 for the state it is in, 0 otherwise.
        for (dev.millrace.fair.GovernorState state : dev.millrace.fair.GovernorState.values()) {
            io.micrometer.core.instrument.Gauge.builder("millrace.governor.state", millrace,
                            m -> m.status().governor() == state ? 1 : 0)
                    .description("the node's resource governor: 1 for its current state").tag("state", state.name())
                    .register(registry);
        }
        io.micrometer.core.instrument.Gauge.builder("millrace.governor.allowed.executions", millrace,
                        m -> m.status().allowedExecutions())
                .description("jobs this node may run at once now (its workers when normal, 0 when suspended)")
                .register(registry);
        io.micrometer.core.instrument.Gauge.builder("millrace.node.in.flight", millrace, m -> m.status().inFlight())
                .description("jobs this node claimed that have not ended").register(registry);
        io.micrometer.core.instrument.Gauge.builder("millrace.fair.usage.lanes.held", millrace,
                        m -> m.status().fairUsage().size())
                .description("tenant lanes of a job type that flow control or fair usage holds back on this node")
                .register(registry);
        for (String outcome : new String[] {"requeued", "failed", "aborted"}) {
            io.micrometer.core.instrument.FunctionCounter.builder("millrace.lease.rescues", millrace, m -> {
                var r = m.monitoring().leaseRescues();
                return switch (outcome) {
                    case "requeued" -> r.requeued();
                    case "failed" -> r.failed();
                    default -> r.aborted();
                };
            }).description("jobs with expired leases this node's rescuer re-queued, failed or aborted")
                    .tag("outcome", outcome).register(registry);
        }
        endedDropped = Counter.builder("millrace.jobs.ended.dropped")
                .description("ended jobs missing from millrace.jobs.ended and the wait and run times: more ended"
                        + " between two takes than the node keeps")
                .register(registry);
        // Only this node's ends count from now on (the node keeps them from the first take); earlier ones are
        // history, not throughput.
        endedSource.applyAsLong(j -> { });
    }

    /** The registry, for the /metrics route and for HTTP timings. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Records one HTTP request. */
    public void request(String method, String route, int status, long nanos) {
        Timer.builder("millrace.http.requests").description("HTTP requests by route and status")
                .tags("method", method, "route", route, "status", Integer.toString(status))
                .register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Starts sampling the store in the background; the first pass runs at once. */
    public synchronized void start() {
        if (running) return;
        running = true;
        thread = Thread.ofPlatform().daemon().name("millrace-metrics").start(this::loop);
    }

    private void loop() {
        long wait = Math.max(1, Math.min(interval.toMillis(), TAKE_INTERVAL.toMillis()));
        long nextPass = System.nanoTime();
        while (running) {
            try {
                if (System.nanoTime() - nextPass >= 0) {
                    nextPass = System.nanoTime() + interval.toNanos();
                    sample();
                } else {
                    takeEnded();
                }
            } catch (RuntimeException e) {
                LOG.warn("metrics pass failed, retrying in {}: {}", interval, e.toString());
            }
            synchronized (lock) {
                try {
                    if (running) lock.wait(wait);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** One pass: counts by tenant, type and status; this node's ended jobs since the last take. */
    public void sample() {
        List<JobCount> census = millrace.monitoring().census();
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        Map<TenantId, Long> depth = new HashMap<>();
        for (TenantId t : millrace.tenants().list()) depth.put(t, 0L);
        for (JobCount c : census) {
            rows.add(MultiGauge.Row.of(Tags.of("tenant", c.tenant().value(), "type", c.type().name(),
                    "status", c.status().name()), c.count()));
            if (c.status() == JobStatus.QUEUED || c.status() == JobStatus.HOLDING) depth.merge(c.tenant(), c.count(), Long::sum);
        }
        jobs.register(rows, true);
        List<MultiGauge.Row<?>> lags = new ArrayList<>();
        for (TenantId t : depth.keySet()) {
            Map<String, Long> worst = new java.util.TreeMap<>();
            for (var st : millrace.events().subscriptions(t)) worst.merge(st.subscription(), st.lag(), Math::max);
            worst.forEach((name, lag) -> lags.add(MultiGauge.Row.of(Tags.of("tenant", t.value(), "subscription", name), lag)));
        }
        subscriptionLag.register(lags, true);
        queueDepth.register(depth.entrySet().stream().<MultiGauge.Row<?>>map(e ->
                MultiGauge.Row.of(Tags.of("tenant", e.getKey().value()), e.getValue())).toList(), true);

        for (FairShare f : millrace.fairShares()) {
            String key = f.tenant().value() + "\u0000" + f.type().name();
            if (fairLanes.add(key)) registerLane(key, f.tenant().value(), f.type().name());
        }

        takeEnded();
    }

    /** Records the jobs this node ended since the last take, and the ends it had to drop. */
    public void takeEnded() {
        long dropped = endedSource.applyAsLong(this::record);
        if (dropped > 0) {
            endedDropped.increment(dropped);
            LOG.warn("{} ended jobs were dropped before the metrics took them: the wait and run times miss them", dropped);
        }
    }

    /** One lane's fair-dispatch meters, each reading the node's figures at scrape time. */
    private void registerLane(String key, String tenant, String type) {
        Tags tags = Tags.of("tenant", tenant, "type", type);
        io.micrometer.core.instrument.FunctionCounter.builder("millrace.fair.worker", this,
                        m -> m.lane(key, f -> f.workerTime().toNanos() / 1e9))
                .baseUnit("seconds").description("time this node's workers spent running the lane's jobs (its share"
                        + " of worker time: rate over the sum of all lanes' rates)").tags(tags).register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("millrace.fair.started", this,
                        m -> m.lane(key, f -> f.started()))
                .description("jobs of the lane this node started").tags(tags).register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("millrace.fair.deferrals", this,
                        m -> m.lane(key, f -> f.deferrals()))
                .description("claim passes that held the lane back (tier thread cap or start-rate limit)").tags(tags)
                .register(registry);
        io.micrometer.core.instrument.Gauge.builder("millrace.fair.running", this, m -> m.lane(key, f -> f.running()))
                .description("the lane's jobs running on this node now").tags(tags).register(registry);
        io.micrometer.core.instrument.Gauge.builder("millrace.fair.tier", this, m -> m.lane(key, f -> f.tier()))
                .description("the lane's fair-usage tier, 0 the top").tags(tags).register(registry);
        io.micrometer.core.instrument.Gauge.builder("millrace.fair.thread.cap", this,
                        m -> m.lane(key, f -> f.threadCap()))
                .description("the most of this node's workers the lane may hold at its tier").tags(tags)
                .register(registry);
        io.micrometer.core.instrument.Gauge.builder("millrace.fair.dominating", this,
                        m -> m.lane(key, f -> f.dominating() ? 1 : 0))
                .description("1 while the tenant dominates the type's ready jobs (claimed behind others)").tags(tags)
                .register(registry);
    }

    /** A figure of one lane, from the node's shares read at most every half second (one scrape reads them once). */
    private double lane(String key, java.util.function.ToDoubleFunction<FairShare> figure) {
        long now = System.nanoTime();
        Map<String, FairShare> shares = fairShares;
        if (now - fairSharesAtNanos > 500_000_000L || !shares.containsKey(key)) {
            Map<String, FairShare> fresh = new HashMap<>();
            for (FairShare f : millrace.fairShares()) fresh.put(f.tenant().value() + "\u0000" + f.type().name(), f);
            fairShares = shares = fresh;
            fairSharesAtNanos = now;
        }
        FairShare f = shares.get(key);
        return f == null ? 0 : figure.applyAsDouble(f);
    }

    private void record(EndedJob j) {
        String key = j.tenant().value() + "\u0000" + j.type().name();
        ended.computeIfAbsent(key + "\u0000" + j.status(), k -> Counter.builder("millrace.jobs.ended")
                .description("jobs whose terminal status this node wrote (ran, aborted or rescued)")
                .tags("tenant", j.tenant().value(), "type", j.type().name(), "status", j.status().name())
                .register(registry)).increment();
        if (j.waited() != null) {
            waits.computeIfAbsent(key, k -> Timer.builder("millrace.job.wait")
                    .description("from a job's earliest start to its start, jobs this node ran")
                    .tags("tenant", j.tenant().value(), "type", j.type().name())
                    .publishPercentileHistogram().register(registry)).record(j.waited());
        }
        if (j.ran() != null) {
            runs.computeIfAbsent(key, k -> Timer.builder("millrace.job.run")
                    .description("from a job's start to its end, jobs this node ran")
                    .tags("tenant", j.tenant().value(), "type", j.type().name())
                    .publishPercentileHistogram().register(registry)).record(j.ran());
        }
    }

    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            running = false;
            t = thread;
        }
        synchronized (lock) {
            lock.notifyAll();
        }
        if (t != null) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        registry.close();
    }
}
