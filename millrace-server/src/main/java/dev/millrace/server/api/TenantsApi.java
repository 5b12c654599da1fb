package dev.millrace.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.millrace.Millrace;
import dev.millrace.TenantId;
import dev.millrace.TenantPolicy;
import dev.millrace.server.http.Access;
import dev.millrace.server.http.ApiModule;
import dev.millrace.server.http.IdKind;
import dev.millrace.server.http.Json;
import dev.millrace.server.http.Problem;
import dev.millrace.server.http.Route;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Tenants and their policies: admin only. */
public final class TenantsApi implements ApiModule {
    private static final Pattern POLICY_KEY = Pattern.compile("tenant policy (\\w+) =");
    static final String POLICY_SCHEMA = policySchema();
    private static final String TENANT_ID = "{\"type\":\"string\",\"pattern\":\"^[A-Za-z0-9_.-]{1,64}$\"}";

    private final Millrace millrace;
    private final long maxBody;

    /** Tenants of this node's store; bodies up to {@code maxBody} bytes. */
    public TenantsApi(Millrace millrace, long maxBody) {
        this.millrace = millrace;
        this.maxBody = maxBody;
    }

    private static String policySchema() {
        StringBuilder props = new StringBuilder();
        for (var c : TenantPolicy.class.getRecordComponents()) {
            if (!props.isEmpty()) props.append(',');
            // The limit profiles and fair usage are objects, patched key by key (see merge).
            String type = c.getType() == int.class ? "integer" : "object";
            props.append('"').append(c.getName()).append("\":{\"type\":\"").append(type).append("\"}");
        }
        return "{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{" + props + "}}";
    }

    @Override
    public List<Route> routes() {
        return List.of(
                Route.of(HandlerType.GET, "/api/v1/tenants", Access.ADMIN).operationId("listTenants")
                        .summary("Every tenant with its policy, in id order.")
                        .response(200, Schemas.items(Schemas.REF_TENANT))
                        .handle(ctx -> ctx.json(Map.of("items", millrace.tenants().list().stream()
                                .map(t -> view(t, millrace.tenants().policy(t).orElse(TenantPolicy.DEFAULTS)))
                                .toList()))),
                Route.of(HandlerType.POST, "/api/v1/tenants", Access.ADMIN).operationId("createTenant")
                        .summary("Creates a tenant, with the default policy or the keys given; 409 when it exists.")
                        .request("{\"type\":\"object\",\"required\":[\"id\"],\"additionalProperties\":false,"
                                + "\"properties\":{\"id\":" + TENANT_ID + ",\"policy\":" + POLICY_SCHEMA + "}}",
                                "{\"id\":\"fixture-new\",\"policy\":{\"maxDelayMinutes\":5}}")
                        .response(201, Schemas.REF_TENANT)
                        .handle(this::create),
                Route.of(HandlerType.GET, "/api/v1/tenants/{tenantId}", Access.ADMIN).operationId("getTenant")
                        .summary("A tenant and its policy.")
                        .pathParam("tenantId", IdKind.TENANT, "the tenant's id")
                        .response(200, Schemas.REF_TENANT)
                        .handle(ctx -> {
                            TenantId t = tenant(ctx);
                            ctx.json(view(t, existing(t)));
                        }),
                Route.of(HandlerType.PATCH, "/api/v1/tenants/{tenantId}", Access.ADMIN).operationId("updateTenant")
                        .summary("Changes some keys of a tenant's policy; the others keep their values.")
                        .pathParam("tenantId", IdKind.TENANT, "the tenant's id")
                        .request("{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{\"policy\":"
                                + POLICY_SCHEMA + "}}", "{\"policy\":{\"jobRetentionDays\":14}}")
                        .response(200, Schemas.REF_TENANT)
                        .handle(this::update));
    }

    private void create(Context ctx) {
        ObjectNode body = Json.readObject(ctx, maxBody);
        Json.onlyFields(body, "", "id", "policy");
        String id = Json.text(body, "", "id", true, 64);
        TenantId tenant;
        try {
            tenant = TenantId.of(id);
        } catch (IllegalArgumentException e) {
            throw Problem.invalid("id", "tenant-id", e.getMessage());
        }
        ObjectNode patch = Json.object(body, "", "policy");
        TenantPolicy policy = patch == null ? TenantPolicy.DEFAULTS : merge(TenantPolicy.DEFAULTS, patch);
        if (millrace.tenants().policy(tenant).isPresent()) {
            throw Problem.conflict("unique", "tenant '" + tenant + "' already exists: expected a new id,"
                    + " or PATCH /api/v1/tenants/" + tenant + " to change its policy");
        }
        millrace.tenants().put(tenant, policy);
        ctx.status(201).json(view(tenant, policy));
    }

    private void update(Context ctx) {
        TenantId tenant = tenant(ctx);
        TenantPolicy current = existing(tenant);
        ObjectNode body = Json.readObject(ctx, maxBody);
        Json.onlyFields(body, "", "policy");
        ObjectNode patch = Json.object(body, "", "policy");
        TenantPolicy policy = patch == null ? current : merge(current, patch);
        millrace.tenants().put(tenant, policy);
        ctx.json(view(tenant, policy));
    }

    /** Fields holding a map by job type: a patch replaces the whole map, so a cap can be removed. */
    private static final java.util.Set<String> WHOLE_VALUES = java.util.Set.of("maxRunning", "maxStartsPerSecond",
            "tierPercents");

    /**
     * The policy with the patch's keys applied, each checked for name, type and range. Nested objects (the limit
     * profiles, fair usage) are patched key by key, as the store reads them; a map or list is replaced whole.
     */
    static TenantPolicy merge(TenantPolicy base, ObjectNode patch) {
        ObjectNode merged = Json.MAPPER.valueToTree(base);
        mergeInto(merged, patch, "policy.");
        try {
            return Json.MAPPER.treeToValue(merged, TenantPolicy.class);
        } catch (Exception e) {
            Throwable root = e;
            while (root.getCause() != null && !(root instanceof IllegalArgumentException)) root = root.getCause();
            String message = root.getMessage() == null ? Json.oneLine(e) : root.getMessage();
            Matcher m = POLICY_KEY.matcher(message);
            Matcher f = FAIR_KEY.matcher(message);
            String field = m.find() ? "policy." + m.group(1) : f.find() ? "policy.fairUsage." + f.group(1) : "policy";
            throw Problem.invalid(field, "range", message);
        }
    }

    private static final Pattern FAIR_KEY = Pattern.compile("fair usage (\\w+)");

    private static void mergeInto(ObjectNode into, ObjectNode patch, String where) {
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String field = where + e.getKey();
            JsonNode current = into.get(e.getKey());
            if (current == null) {
                throw Problem.invalid(field, "unknown-field", "field '" + field + "' is unknown: expected keys of "
                        + where.substring(0, where.length() - 1) + ": " + String.join(", ", fieldNames(into)));
            }
            JsonNode v = e.getValue();
            if (WHOLE_VALUES.contains(e.getKey())) {
                if (current.isArray() ? !v.isArray() : !v.isObject()) {
                    throw Json.wrongType(field, v, current.isArray() ? "a list of whole numbers"
                            : "an object of job type to a whole number");
                }
                into.set(e.getKey(), v);
            } else if (current.isObject()) {
                if (!v.isObject()) throw Json.wrongType(field, v, "an object of keys of " + e.getKey());
                mergeInto((ObjectNode) current, (ObjectNode) v, field + ".");
            } else {
                if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                    throw Json.wrongType(field, v, "a whole number");
                }
                if (current.isInt() && !v.canConvertToInt()) {
                    throw Problem.invalid(field, "range", "field '" + field + "' is " + v + ": expected at most "
                            + Integer.MAX_VALUE);
                }
                into.set(e.getKey(), v);
            }
        }
    }

    private static List<String> fieldNames(ObjectNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private TenantPolicy existing(TenantId tenant) {
        return millrace.tenants().policy(tenant).orElseThrow(() -> Problem.notFound("tenant '" + tenant
                + "' does not exist: expected the id of an existing tenant"));
    }

    /** The path's tenant id; a malformed one cannot exist, so it is 404 like an unknown one. */
    static TenantId tenant(Context ctx) {
        String id = ctx.pathParam("tenantId");
        try {
            return TenantId.of(id);
        } catch (IllegalArgumentException e) {
            throw Problem.notFound("tenant '" + id + "' does not exist: " + e.getMessage());
        }
    }

    static Map<String, Object> view(TenantId tenant, TenantPolicy policy) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", tenant.value());
        out.put("policy", policy);
        return out;
    }

    static String tenantSchema() {
        return "{\"type\":\"object\",\"required\":[\"id\",\"policy\"],\"properties\":{\"id\":" + TENANT_ID
                + ",\"policy\":" + POLICY_SCHEMA + "}}";
    }
}
