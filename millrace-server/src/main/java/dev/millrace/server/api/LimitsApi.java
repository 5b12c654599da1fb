package dev.millrace.server.api;

import dev.millrace.Limit;
import dev.millrace.LimitProfile;
import dev.millrace.Millrace;
import dev.millrace.TenantId;
import dev.millrace.TenantPolicy;
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
 * The caller's governor limits: the budgets of its synchronous and asynchronous execution profiles and the
 * per-execution and per-tenant allowances of its policy. Read-only: an administrator changes them through the
 * tenant's policy ({@code PATCH /api/v1/tenants/{tenantId}}).
 */
public final class LimitsApi implements ApiModule {
    private static final String PROFILE = "{\"type\":\"object\",\"additionalProperties\":{\"type\":\"object\","
            + "\"properties\":{\"budget\":{\"type\":\"integer\"},\"label\":{\"type\":\"string\"},\"unit\":"
            + "{\"type\":\"string\"}}}}";
    private final Millrace millrace;

    /** Limits of this node's tenants. */
    public LimitsApi(Millrace millrace) {
        this.millrace = millrace;
    }

    @Override
    public List<Route> routes() {
        return List.of(Route.of(HandlerType.GET, "/api/v1/limits", Access.TENANT).operationId("getLimits")
                .summary("The tenant's governor limits: sync and async profiles (each limit's budget, label and unit)"
                        + " and the policy's allowances.")
                .response(200, "{\"type\":\"object\",\"required\":[\"tenant\",\"sync\",\"async\",\"allowances\"],"
                        + "\"properties\":{\"tenant\":{\"type\":\"string\"},\"sync\":" + PROFILE + ",\"async\":"
                        + PROFILE + ",\"allowances\":{\"type\":\"object\",\"additionalProperties\":{\"type\":"
                        + "\"integer\"}}}}")
                .handle(ctx -> {
                    Query.only(ctx);
                    TenantId tenant = Auth.principal(ctx).requireTenant();
                    TenantPolicy p = millrace.tenants().policy(tenant).orElseThrow(() -> Problem.notFound("tenant '"
                            + tenant + "' does not exist: expected an existing tenant"));
                    Map<String, Object> out = new LinkedHashMap<>();
                    out.put("tenant", tenant.value());
                    out.put("sync", profile(p.syncLimits()));
                    out.put("async", profile(p.asyncLimits()));
                    Map<String, Object> allowances = new LinkedHashMap<>();
                    allowances.put("enqueuePerSyncExecution", p.enqueuePerSyncExecution());
                    allowances.put("enqueuePerAsyncExecution", p.enqueuePerAsyncExecution());
                    allowances.put("futuresPerExecution", p.futuresPerExecution());
                    allowances.put("dailyAsyncExecutions", p.dailyAsyncExecutions());
                    allowances.put("maxActiveBatches", p.maxActiveBatches());
                    allowances.put("flexQueueCapacity", p.flexQueueCapacity());
                    allowances.put("maxSchedules", p.maxSchedules());
                    out.put("allowances", allowances);
                    ctx.json(out);
                }));
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
