package dev.millrace.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.millrace.Millrace;
import dev.millrace.TenantId;
import dev.millrace.flags.FlagChange;
import dev.millrace.server.http.Access;
import dev.millrace.server.http.ApiModule;
import dev.millrace.server.http.Auth;
import dev.millrace.server.http.IdKind;
import dev.millrace.server.http.Json;
import dev.millrace.server.http.Problem;
import dev.millrace.server.http.Route;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Feature flags of the caller's tenant: list the stored ones, switch one on or off (audited as changed by the
 * caller's key id, or "admin"), read a flag's audited changes.
 */
public final class FlagsApi implements ApiModule {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.\\-]{1,100}");
    private static final String CHANGE = "{\"type\":\"object\",\"required\":[\"name\",\"oldValue\",\"newValue\","
            + "\"changedBy\",\"changedAt\"],\"properties\":{\"name\":{\"type\":\"string\"},"
            + "\"oldValue\":{\"type\":[\"boolean\",\"null\"]},\"newValue\":{\"type\":\"boolean\"},"
            + "\"changedBy\":{\"type\":\"string\"},\"changedAt\":{\"type\":\"string\",\"format\":\"date-time\"}}}";
    private static final String FLAG = "{\"type\":\"object\",\"required\":[\"name\",\"enabled\"],\"properties\":{"
            + "\"name\":{\"type\":\"string\"},\"enabled\":{\"type\":\"boolean\"}}}";
    private final Millrace millrace;
    private final long maxBody;

    /** Flags of this node's store; bodies up to {@code maxBody} bytes. */
    public FlagsApi(Millrace millrace, long maxBody) {
        this.millrace = millrace;
        this.maxBody = maxBody;
    }

    @Override
    public List<Route> routes() {
        return List.of(
                Route.of(HandlerType.GET, "/api/v1/flags", Access.TENANT).operationId("listFlags")
                        .summary("The tenant's flags that have a stored value, by name (a flag never set reads off).")
                        .response(200, Schemas.items(FLAG))
                        .handle(ctx -> {
                            Query.only(ctx);
                            TenantId tenant = Auth.principal(ctx).requireTenant();
                            ctx.json(Map.of("items", millrace.flags().list(tenant).entrySet().stream()
                                    .map(e -> flag(e.getKey(), e.getValue(), null)).toList()));
                        }),
                Route.of(HandlerType.PUT, "/api/v1/flags/{name}", Access.TENANT).operationId("setFlag")
                        .summary("Switches a flag: off holds the tenant's ready jobs of the classes bound to it, on"
                                + " releases them; the answer says how many jobs moved.")
                        .pathParam("name", IdKind.FLAG, "the flag's name: 1 to 100 letters, digits, '.', '-' or '_'")
                        .request("{\"type\":\"object\",\"required\":[\"enabled\"],\"additionalProperties\":false,"
                                + "\"properties\":{\"enabled\":{\"type\":\"boolean\"}}}", "{\"enabled\":true}")
                        .response(200, "{\"type\":\"object\",\"required\":[\"name\",\"enabled\",\"jobsMoved\"],"
                                + "\"properties\":{\"name\":{\"type\":\"string\"},\"enabled\":{\"type\":\"boolean\"},"
                                + "\"jobsMoved\":{\"type\":\"integer\"}}}")
                        .handle(this::set),
                Route.of(HandlerType.GET, "/api/v1/flags/{name}/history", Access.TENANT).operationId("flagHistory")
                        .summary("A flag's audited changes, newest first (at most 100): who switched it, when, from"
                                + " what to what (oldValue null when the flag was new); empty for a flag never set.")
                        .pathParam("name", IdKind.FLAG, "the flag's name: 1 to 100 letters, digits, '.', '-' or '_'")
                        .response(200, Schemas.items(CHANGE))
                        .handle(ctx -> {
                            Query.only(ctx);
                            TenantId tenant = Auth.principal(ctx).requireTenant();
                            String name = checkName(ctx.pathParam("name"));
                            ctx.json(Map.of("items", millrace.flags().history(tenant, name).stream()
                                    .map(FlagsApi::change).toList()));
                        }));
    }

    private static String checkName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw Problem.invalid("name", "flag-name", "flag name '" + (name.length() > 100 ? name.substring(0, 100)
                    + "…" : name) + "' is invalid: expected 1 to 100 letters, digits, '.', '-' or '_'");
        }
        return name;
    }

    private static Map<String, Object> change(FlagChange c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", c.flag());
        m.put("oldValue", c.oldValue());
        m.put("newValue", c.newValue());
        m.put("changedBy", c.changedBy());
        m.put("changedAt", c.changedAt().toString());
        return m;
    }

    private void set(Context ctx) {
        var principal = Auth.principal(ctx);
        TenantId tenant = principal.requireTenant();
        String name = checkName(ctx.pathParam("name"));
        ObjectNode body = Json.readObject(ctx, maxBody);
        Json.onlyFields(body, "", "enabled");
        JsonNode enabled = body.get("enabled");
        if (enabled == null || enabled.isNull()) {
            throw Problem.invalid("enabled", "required", "field 'enabled' is missing: expected true or false");
        }
        if (!enabled.isBoolean()) throw Json.wrongType("enabled", enabled, "true or false");
        // Audited as the caller: its key's id, or "admin" for the admin key.
        int moved = millrace.flags().set(tenant, name, enabled.booleanValue(), principal.keyId());
        ctx.json(flag(name, enabled.booleanValue(), moved));
    }

    private static Map<String, Object> flag(String name, boolean enabled, Integer moved) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("enabled", enabled);
        if (moved != null) m.put("jobsMoved", moved);
        return m;
    }
}
