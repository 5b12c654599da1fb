package dev.millrace.server.api;

import dev.millrace.Millrace;
import dev.millrace.TenantId;
import dev.millrace.TenantPolicy;
import dev.millrace.TenantUsage;
import dev.millrace.event.EventPolicy;
import dev.millrace.limits.Limit;
import dev.millrace.limits.LimitProfile;
import dev.millrace.server.http.Access;
import dev.millrace.server.http.ApiModule;
import dev.millrace.server.http.Auth;
import dev.millrace.server.http.Problem;
import dev.millrace.server.http.Route;
import io.javalin.http.HandlerType;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The caller's governor limits: the budgets of its synchronous and asynchronous execution profiles, the
 * per-execution and per-tenant allowances of its policy, and what it uses of the per-tenant ones now. Read-only: an
 * administrator changes them through the tenant's policy ({@code PATCH /api/v1/tenants/{tenantId}}), and reads every
 * tenant's usage at {@code GET /api/v1/usage}.
 */
public final class LimitsApi implements ApiModule {
    private static final String PROFILE = "{\"type\":\"object\",\"additionalProperties\":{\"type\":\"object\","
            + "\"properties\":{\"budget\":{\"type\":\"integer\"},\"label\":{\"type\":\"string\"},\"unit\":"
            + "{\"type\":\"string\"}}}}";
    private static final String USAGE = "{\"type\":\"object\",\"required\":[\"asyncExecutions\",\"schedules\","
            + "\"activeBatches\",\"flexQueue\",\"channels\",\"subscriptions\",\"externalDeliveries\"],\"properties\":{"
            + "\"asyncExecutions\":"
            + "{\"type\":\"integer\",\"description\":\"accepted in the rolling 24 hours, of dailyAsyncExecutions\"},"
            + "\"schedules\":{\"type\":\"integer\",\"description\":\"of maxSchedules\"},\"activeBatches\":"
            + "{\"type\":\"integer\",\"description\":\"of maxActiveBatches\"},\"flexQueue\":{\"type\":\"integer\","
            + "\"description\":\"holding batches, of flexQueueCapacity\"},\"channels\":{\"type\":\"integer\"},"
            + "\"subscriptions\":{\"type\":\"integer\"},\"externalDeliveries\":{\"type\":\"integer\",\"description\":"
            + "\"events delivered to external clients in the rolling 24 hours, of externalDeliveriesPer24h\"}}}";
    private final Millrace millrace;

    /** Limits of this node's tenants. */
    public LimitsApi(Millrace millrace) {
        this.millrace = millrace;
    }

    @Override
    public List<Route> routes() {
        return List.of(Route.of(HandlerType.GET, "/api/v1/limits", Access.TENANT).operationId("getLimits")
                .summary("The tenant's governor limits: sync and async profiles (each limit's budget, label and unit),"
                        + " the policy's allowances, and its usage of them now.")
                .response(200, "{\"type\":\"object\",\"required\":[\"tenant\",\"sync\",\"async\",\"allowances\","
                        + "\"usage\"],\"properties\":{\"tenant\":{\"type\":\"string\"},\"sync\":" + PROFILE + ",\"async\":"
                        + PROFILE + ",\"allowances\":{\"type\":\"object\",\"additionalProperties\":{\"type\":"
                        + "\"integer\"}},\"usage\":" + USAGE + "}}")
                .handle(ctx -> {
                    Query.only(ctx);
                    TenantId tenant = Auth.principal(ctx).requireTenant();
                    TenantPolicy p = millrace.tenants().policy(tenant).orElseThrow(() -> Problem.notFound("tenant '"
                            + tenant + "' does not exist: expected an existing tenant"));
                    Map<String, Object> out = new LinkedHashMap<>();
                    out.put("tenant", tenant.value());
                    out.put("sync", profile(p.syncLimits()));
                    out.put("async", profile(p.asyncLimits()));
                    out.put("allowances", allowances(p, millrace.events().policy(tenant)));
                    out.put("usage", usage(millrace.tenants().usage(tenant)));
                    ctx.json(out);
                }),
                Route.of(HandlerType.GET, "/api/v1/usage", Access.ADMIN).operationId("listUsage")
                        .summary("Every tenant's usage of its allowances now, with the allowances, in tenant order"
                                + " (a few store reads per tenant).")
                        .response(200, Schemas.items("{\"type\":\"object\",\"required\":[\"tenant\",\"usage\","
                                + "\"allowances\"],\"properties\":{\"tenant\":{\"type\":\"string\"},\"usage\":" + USAGE
                                + ",\"allowances\":{\"type\":\"object\",\"additionalProperties\":{\"type\":"
                                + "\"integer\"}}}}"))
                        .handle(ctx -> {
                            Query.only(ctx);
                            List<Map<String, Object>> items = new java.util.ArrayList<>();
                            for (TenantId t : millrace.tenants().list()) {
                                TenantPolicy p = millrace.tenants().policy(t).orElse(null);
                                if (p == null) continue;   // deleted between the two reads
                                TenantUsage u;
                                try {
                                    u = millrace.tenants().usage(t);
                                } catch (dev.millrace.UnknownTenantException e) {
                                    continue;
                                }
                                Map<String, Object> row = new LinkedHashMap<>();
                                row.put("tenant", t.value());
                                row.put("usage", usage(u));
                                row.put("allowances", allowances(p, millrace.events().policy(t)));
                                items.add(row);
                            }
                            ctx.json(Map.of("items", items));
                        }));
    }

    /** The usage figures by name, each beside the allowance it counts against. */
    static Map<String, Object> usage(TenantUsage u) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("asyncExecutions", u.asyncExecutions());
        m.put("schedules", u.schedules());
        m.put("activeBatches", u.activeBatches());
        m.put("flexQueue", u.flexQueue());
        m.put("channels", u.channels());
        m.put("subscriptions", u.subscriptions());
        m.put("externalDeliveries", u.externalDeliveries());
        return m;
    }

    /** The per-tenant allowances of a policy by name, with the event policy's 24-hour delivery allocation. */
    static Map<String, Object> allowances(TenantPolicy p, EventPolicy events) {
        Map<String, Object> allowances = new LinkedHashMap<>();
        allowances.put("enqueuePerSyncExecution", p.enqueuePerSyncExecution());
        allowances.put("enqueuePerAsyncExecution", p.enqueuePerAsyncExecution());
        allowances.put("futuresPerExecution", p.futuresPerExecution());
        allowances.put("dailyAsyncExecutions", p.dailyAsyncExecutions());
        allowances.put("maxActiveBatches", p.maxActiveBatches());
        allowances.put("flexQueueCapacity", p.flexQueueCapacity());
        allowances.put("maxSchedules", p.maxSchedules());
        allowances.put("externalDeliveriesPer24h", events.externalDeliveriesPer24h());
        return allowances;
    }

    /** Each limit of a profile by name: budget, what it counts, unit. */
    private static Map<String, Object> profile(LimitProfile profile) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Limit l : Limit.values()) {
            if (l == Limit.QUEUEABLE_JOBS || l == Limit.FUTURE_CALLS || l == Limit.CURSOR_FETCHES) continue;
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("budget", profile.budget(l));
            m.put("label", l.label());
            m.put("unit", l.unit().trim());
            out.put(l.name(), m);
        }
        return out;
    }
}
