package dev.millrace.server.api;

import dev.millrace.JobStatus;
import dev.millrace.Millrace;
import dev.millrace.TenantId;
import dev.millrace.monitoring.JobCount;
import dev.millrace.monitoring.MinuteCount;
import dev.millrace.server.http.Access;
import dev.millrace.server.http.ApiModule;
import dev.millrace.server.http.Auth;
import dev.millrace.server.http.Route;
import io.javalin.http.HandlerType;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Figures for dashboards: a tenant's own ({@code /api/v1/stats}) and, for the admin, every tenant's with this
 * node's status ({@code /api/v1/overview}). Read from the store, so they hold for the whole cluster.
 */
public final class StatsApi implements ApiModule {
    /** How far back throughput goes, in minutes. */
    public static final int THROUGHPUT_MINUTES = 60;
    private static final String COUNTS = "{\"type\":\"object\",\"additionalProperties\":{\"type\":\"integer\"}}";
    private static final String THROUGHPUT = "{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{"
            + "\"minute\":{\"type\":\"string\",\"format\":\"date-time\"},\"completed\":{\"type\":\"integer\"},"
            + "\"failed\":{\"type\":\"integer\"},\"aborted\":{\"type\":\"integer\"}}}}";

    private final Millrace millrace;
    private final InstantSource clock;
    private final Supplier<Map<String, Object>> node;

    /** Figures of this node's store; {@code node} describes this node for the overview. */
    public StatsApi(Millrace millrace, InstantSource clock, Supplier<Map<String, Object>> node) {
        this.millrace = millrace;
        this.clock = clock;
        this.node = node;
    }

    @Override
    public List<Route> routes() {
        return List.of(
                Route.of(HandlerType.GET, "/api/v1/stats", Access.TENANT).operationId("tenantStats")
                        .summary("The tenant's jobs by status, queue depth (queued and holding jobs), and jobs ended"
                                + " per minute over the last hour (oldest first).")
                        .response(200, Schemas.REF_STATS)
                        .handle(ctx -> {
                            TenantId tenant = Auth.principal(ctx).requireTenant();
                            Map<JobStatus, Long> counts = millrace.jobs().countByStatus(
                                    dev.millrace.JobQuery.forTenant(tenant).build());
                            Instant to = nextMinute();
                            Map<String, Object> out = new LinkedHashMap<>();
                            out.put("tenant", tenant.value());
                            out.put("counts", statusMap(counts));
                            out.put("queueDepth", queueDepth(counts));
                            out.put("throughput", throughput(millrace.monitoring().endedPerMinute(tenant,
                                    to.minus(Duration.ofMinutes(THROUGHPUT_MINUTES)), to), to));
                            ctx.json(out);
                        }),
                Route.of(HandlerType.GET, "/api/v1/overview", Access.ADMIN).operationId("overview")
                        .summary("Every tenant's jobs by status and queue depth, jobs ended per minute over the last"
                                + " hour across tenants, and this node's status.")
                        .response(200, "{\"type\":\"object\",\"required\":[\"tenants\",\"throughput\",\"nodes\"],"
                                + "\"properties\":{\"tenants\":{\"type\":\"array\",\"items\":{\"type\":\"object\","
                                + "\"properties\":{\"id\":{\"type\":\"string\"},\"counts\":" + COUNTS + ",\"queueDepth\":"
                                + "{\"type\":\"integer\"}}}},\"throughput\":" + THROUGHPUT + ",\"nodes\":{\"type\":"
                                + "\"array\",\"items\":{\"type\":\"object\"}}}}")
                        .handle(ctx -> ctx.json(overview())));
    }

    private Map<String, Object> overview() {
        Map<TenantId, Map<JobStatus, Long>> byTenant = new TreeMap<>(java.util.Comparator.comparing(TenantId::value));
        for (TenantId t : millrace.tenants().list()) byTenant.put(t, new EnumMap<>(JobStatus.class));
        for (JobCount c : millrace.monitoring().census()) {
            byTenant.computeIfAbsent(c.tenant(), t -> new EnumMap<>(JobStatus.class)).merge(c.status(), c.count(), Long::sum);
        }
        List<Map<String, Object>> tenants = new ArrayList<>();
        byTenant.forEach((t, counts) -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", t.value());
            row.put("counts", statusMap(counts));
            row.put("queueDepth", queueDepth(counts));
            tenants.add(row);
        });
        Instant to = nextMinute();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("tenants", tenants);
        out.put("throughput", throughput(millrace.monitoring().endedPerMinute(null,
                to.minus(Duration.ofMinutes(THROUGHPUT_MINUTES)), to), to));
        out.put("nodes", List.of(node.get()));
        return out;
    }

    /** The end of the current minute: the last bucket is the minute in progress. */
    private Instant nextMinute() {
        return clock.instant().truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofMinutes(1));
    }

    /** Every status, zeros included, so charts and tables need no special cases. */
    static Map<String, Long> statusMap(Map<JobStatus, Long> counts) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (JobStatus s : JobStatus.values()) out.put(s.name(), counts.getOrDefault(s, 0L));
        return out;
    }

    static long queueDepth(Map<JobStatus, Long> counts) {
        return counts.getOrDefault(JobStatus.QUEUED, 0L) + counts.getOrDefault(JobStatus.HOLDING, 0L);
    }

    /** One row per minute of the window, oldest first, zeros where nothing ended. */
    static List<Map<String, Object>> throughput(List<MinuteCount> counts, Instant to) {
        Map<Instant, long[]> minutes = new LinkedHashMap<>();
        for (int i = THROUGHPUT_MINUTES; i >= 1; i--) minutes.put(to.minus(Duration.ofMinutes(i)), new long[3]);
        for (MinuteCount c : counts) {
            long[] row = minutes.get(c.minute());
            if (row == null) continue;
            switch (c.status()) {
                case COMPLETED -> row[0] += c.count();
                case FAILED -> row[1] += c.count();
                case ABORTED -> row[2] += c.count();
                default -> { }
            }
        }
        List<Map<String, Object>> out = new ArrayList<>();
        minutes.forEach((minute, row) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("minute", minute);
            m.put("completed", row[0]);
            m.put("failed", row[1]);
            m.put("aborted", row[2]);
            out.add(m);
        });
        return out;
    }

    static String statsSchema() {
        return "{\"type\":\"object\",\"required\":[\"tenant\",\"counts\",\"queueDepth\",\"throughput\"],\"properties\":{"
                + "\"tenant\":{\"type\":\"string\"},\"counts\":" + COUNTS + ",\"queueDepth\":{\"type\":\"integer\"},"
                + "\"throughput\":" + THROUGHPUT + "}}";
    }
}
