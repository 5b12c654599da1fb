package dev.millrace.server.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.millrace.Millrace;
import dev.millrace.TenantId;
import dev.millrace.apikey.ApiKey;
import dev.millrace.apikey.IssuedApiKey;
import dev.millrace.server.http.Access;
import dev.millrace.server.http.ApiModule;
import dev.millrace.server.http.IdKind;
import dev.millrace.server.http.Json;
import dev.millrace.server.http.Problem;
import dev.millrace.server.http.Route;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** API keys of tenants: admin only. A key's secret is in the response that creates it and nowhere else. */
public final class KeysApi implements ApiModule {
    private final Millrace millrace;
    private final long maxBody;

    /** Keys in this node's store; bodies up to {@code maxBody} bytes. */
    public KeysApi(Millrace millrace, long maxBody) {
        this.millrace = millrace;
        this.maxBody = maxBody;
    }

    @Override
    public List<Route> routes() {
        return List.of(
                Route.of(HandlerType.POST, "/api/v1/tenants/{tenantId}/keys", Access.ADMIN).operationId("createKey")
                        .summary("Issues an API key for the tenant. The response holds the key: it is shown only"
                                + " now (only its hash is stored). The body is optional.")
                        .pathParam("tenantId", IdKind.TENANT, "the tenant's id")
                        .request("{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{\"label\":"
                                + "{\"type\":\"string\",\"maxLength\":200}}}", "{\"label\":\"billing service\"}")
                        .response(201, "{\"type\":\"object\",\"required\":[\"id\",\"key\"],\"properties\":{\"id\":"
                                + "{\"type\":\"string\"},\"key\":{\"type\":\"string\"},\"tenant\":{\"type\":\"string\"},"
                                + "\"label\":{\"type\":[\"string\",\"null\"]},\"createdAt\":{\"type\":\"string\","
                                + "\"format\":\"date-time\"}}}")
                        .handle(this::create),
                Route.of(HandlerType.GET, "/api/v1/tenants/{tenantId}/keys", Access.ADMIN).operationId("listKeys")
                        .summary("The tenant's keys, revoked ones included, without their secrets.")
                        .pathParam("tenantId", IdKind.TENANT, "the tenant's id")
                        .response(200, Schemas.items(Schemas.REF_API_KEY))
                        .handle(ctx -> {
                            TenantId t = existingTenant(ctx);
                            ctx.json(Map.of("items", millrace.apiKeys().list(t).stream().map(KeysApi::view).toList()));
                        }),
                Route.of(HandlerType.DELETE, "/api/v1/tenants/{tenantId}/keys/{keyId}", Access.ADMIN)
                        .operationId("revokeKey")
                        .summary("Revokes a key: it stops authenticating at once.")
                        .pathParam("tenantId", IdKind.TENANT, "the tenant's id")
                        .pathParam("keyId", IdKind.API_KEY, "the key's id")
                        .response(204, null)
                        .handle(ctx -> {
                            TenantId t = existingTenant(ctx);
                            String keyId = ctx.pathParam("keyId");
                            if (!millrace.apiKeys().revoke(t, keyId)) {
                                throw Problem.notFound("tenant '" + t + "' has no active key '" + keyId
                                        + "': expected the id of one of its active keys");
                            }
                            ctx.status(204);
                        }));
    }

    private void create(Context ctx) {
        TenantId tenant = existingTenant(ctx);
        String label = null;
        if (ctx.req().getContentLengthLong() != 0) {
            ObjectNode body = Json.readObject(ctx, maxBody);
            Json.onlyFields(body, "", "label");
            label = Json.text(body, "", "label", false, 200);
        }
        IssuedApiKey issued = millrace.apiKeys().issue(tenant, label);
        Map<String, Object> out = view(issued.key());
        out.put("key", issued.secret());
        ctx.status(201).json(out);
    }

    private TenantId existingTenant(Context ctx) {
        TenantId t = TenantsApi.tenant(ctx);
        if (millrace.tenants().policy(t).isEmpty()) {
            throw Problem.notFound("tenant '" + t + "' does not exist: expected the id of an existing tenant");
        }
        return t;
    }

    static Map<String, Object> view(ApiKey key) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", key.id());
        out.put("tenant", key.tenant().value());
        out.put("label", key.label());
        out.put("createdAt", key.createdAt());
        out.put("revokedAt", key.revokedAt());
        out.put("active", key.active());
        return out;
    }

    static String keySchema() {
        return "{\"type\":\"object\",\"required\":[\"id\",\"tenant\",\"active\"],\"properties\":{\"id\":{\"type\":"
                + "\"string\"},\"tenant\":{\"type\":\"string\"},\"label\":{\"type\":[\"string\",\"null\"]},"
                + "\"createdAt\":{\"type\":\"string\",\"format\":\"date-time\"},\"revokedAt\":{\"type\":[\"string\","
                + "\"null\"],\"format\":\"date-time\"},\"active\":{\"type\":\"boolean\"}}}";
    }
}
