package dev.millrace.server.api;

import dev.millrace.Millrace;
import dev.millrace.TenantId;
import dev.millrace.fair.FairShare;
import dev.millrace.monitoring.NodeStatus;
import dev.millrace.server.http.Access;
import dev.millrace.server.http.ApiModule;
import dev.millrace.server.http.Route;
import io.javalin.http.HandlerType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fair dispatch as this node sees it (SPEC.md FAIR-7), for the admin: each tenant's share of the node's worker time
 * since it started, its jobs running now, and per job type its starts, deferrals, tier, thread cap and whether it
 * dominates; with the node's workers and throttling state. Read from the node's memory.
 */
public final class SharesApi implements ApiModule {
    private static final String LANE = "{\"type\":\"object\",\"properties\":{\"type\":{\"type\":\"string\"},"
            + "\"started\":{\"type\":\"integer\"},\"workerSeconds\":{\"type\":\"number\"},\"share\":{\"type\":\"number\"},"
            + "\"running\":{\"type\":\"integer\"},\"deferrals\":{\"type\":\"integer\"},\"tier\":{\"type\":\"integer\"},"
            + "\"threadCap\":{\"type\":\"integer\"},\"dominating\":{\"type\":\"boolean\"}}}";
    private final Millrace millrace;

    /** Shares of this node's workers. */
    public SharesApi(Millrace millrace) {
        this.millrace = millrace;
    }

    @Override
    public List<Route> routes() {
        return List.of(Route.of(HandlerType.GET, "/api/v1/shares", Access.ADMIN).operationId("workerShares")
                .summary("Each tenant's share of this node's worker time since the node started (0 to 1), its jobs"
                        + " running now, and per job type: jobs started, worker seconds, deferrals, fair-usage tier,"
                        + " thread cap and domination; with the node's workers and governor state.")
                .response(200, "{\"type\":\"object\",\"required\":[\"node\",\"workers\",\"governor\",\"workerSeconds\","
                        + "\"tenants\"],\"properties\":{\"node\":{\"type\":\"string\"},\"workers\":{\"type\":\"integer\"},"
                        + "\"governor\":{\"type\":\"string\"},\"governorReason\":{\"type\":\"string\"},"
                        + "\"allowedExecutions\":{\"type\":\"integer\"},\"workerSeconds\":{\"type\":\"number\"},"
                        + "\"tenants\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{\"tenant\":"
                        + "{\"type\":\"string\"},\"workerSeconds\":{\"type\":\"number\"},\"share\":{\"type\":\"number\"},"
                        + "\"started\":{\"type\":\"integer\"},\"running\":{\"type\":\"integer\"},\"deferrals\":{\"type\":"
                        + "\"integer\"},\"lanes\":{\"type\":\"array\",\"items\":" + LANE + "}}}}}}")
                .handle(ctx -> {
                    Query.only(ctx);
                    ctx.json(shares(millrace.status(), millrace.fairShares()));
                }));
    }

    /** The response: lanes grouped by tenant (in tenant order), shares of the node's total worker time. */
    static Map<String, Object> shares(NodeStatus status, List<FairShare> lanes) {
        double total = lanes.stream().mapToDouble(l -> seconds(l)).sum();
        Map<TenantId, List<FairShare>> byTenant = new LinkedHashMap<>();
        for (FairShare l : lanes) byTenant.computeIfAbsent(l.tenant(), k -> new ArrayList<>()).add(l);
        List<Map<String, Object>> tenants = new ArrayList<>();
        byTenant.forEach((tenant, own) -> {
            double secs = own.stream().mapToDouble(SharesApi::seconds).sum();
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("tenant", tenant.value());
            t.put("workerSeconds", round(secs));
            t.put("share", total == 0 ? 0.0 : round(secs / total));
            t.put("started", own.stream().mapToLong(FairShare::started).sum());
            t.put("running", own.stream().mapToInt(FairShare::running).sum());
            t.put("deferrals", own.stream().mapToLong(FairShare::deferrals).sum());
            t.put("lanes", own.stream().map(l -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("type", l.type().name());
                m.put("started", l.started());
                m.put("workerSeconds", round(seconds(l)));
                m.put("share", total == 0 ? 0.0 : round(seconds(l) / total));
                m.put("running", l.running());
                m.put("deferrals", l.deferrals());
                m.put("tier", l.tier());
                m.put("threadCap", l.threadCap());
                m.put("dominating", l.dominating());
                return m;
            }).toList());
            tenants.add(t);
        });
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("node", status.nodeId());
        out.put("workers", status.workers());
        out.put("governor", status.governor().name());
        out.put("governorReason", status.governorReason());
        out.put("allowedExecutions", status.allowedExecutions());
        out.put("workerSeconds", round(total));
        out.put("tenants", tenants);
        return out;
    }

    private static double seconds(FairShare l) {
        return l.workerTime().toNanos() / 1e9;
    }

    /** Microsecond precision: enough that differences between two reads of short jobs keep their proportions. */
    private static double round(double v) {
        return Math.round(v * 1_000_000) / 1_000_000.0;
    }
}
