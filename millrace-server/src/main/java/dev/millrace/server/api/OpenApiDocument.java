package dev.millrace.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.millrace.server.http.Access;
import dev.millrace.server.http.Auth;
import dev.millrace.server.http.PathParam;
import dev.millrace.server.http.Problems;
import dev.millrace.server.http.QueryParam;
import dev.millrace.server.http.Json;
import dev.millrace.server.http.Route;

import java.util.List;
import java.util.Locale;

/** The OpenAPI 3.1 document, generated from the route table the server serves. */
public final class OpenApiDocument {
    private OpenApiDocument() {
    }

    /** The document of these routes. */
    public static ObjectNode of(List<Route> routes, String version) {
        ObjectNode doc = Json.MAPPER.createObjectNode();
        doc.put("openapi", "3.1.0");
        ObjectNode info = doc.putObject("info");
        info.put("title", "Millrace REST API");
        info.put("version", version);
        info.put("description", "Tenant routes act for the tenant of the bearer key (or, with the admin key, for"
                + " the tenant named in the " + Auth.TENANT_HEADER + " header). Another tenant's ids are 404."
                + " Errors are RFC 9457 problem details naming the field and the rule.");
        ObjectNode paths = doc.putObject("paths");
        for (Route r : routes) {
            ObjectNode path = paths.has(r.path()) ? (ObjectNode) paths.get(r.path()) : paths.putObject(r.path());
            ObjectNode op = path.putObject(r.method().name().toLowerCase(Locale.ROOT));
            op.put("operationId", r.operationId());
            op.put("summary", r.summary());
            op.putArray("tags").add(r.path().startsWith("/api/") ? r.path().split("/")[3] : "operations");
            op.put("x-millrace-access", r.access().name());
            if (r.access() == Access.PUBLIC) op.putArray("security");
            else op.putArray("security").addObject().putArray(r.access() == Access.ADMIN ? "adminKey" : "tenantKey");
            ArrayNode params = op.putArray("parameters");
            for (PathParam p : r.pathParams()) {
                ObjectNode n = params.addObject();
                n.put("name", p.name());
                n.put("in", "path");
                n.put("required", true);
                n.put("description", p.description());
                n.put("x-millrace-id-kind", p.kind().name());
                n.putObject("schema").put("type", "string");
            }
            for (QueryParam q : r.queryParams()) {
                ObjectNode n = params.addObject();
                n.put("name", q.name());
                n.put("in", "query");
                n.put("required", false);
                n.put("description", q.description());
                n.set("schema", parse(q.schema(), r));
            }
            if (r.access() == Access.TENANT) {
                ObjectNode n = params.addObject();
                n.put("name", Auth.TENANT_HEADER);
                n.put("in", "header");
                n.put("required", false);
                n.put("description", "with the admin key: the tenant to act for");
                n.putObject("schema").put("type", "string");
            }
            if (r.requestSchema() != null) {
                ObjectNode body = op.putObject("requestBody");
                body.put("required", r.successStatus() != 201 || !r.path().endsWith("/keys"));
                ObjectNode media = body.putObject("content").putObject("application/json");
                media.set("schema", parse(r.requestSchema(), r));
                if (r.requestExample() != null) media.set("example", parse(r.requestExample(), r));
            }
            ObjectNode responses = op.putObject("responses");
            ObjectNode ok = responses.putObject(Integer.toString(r.successStatus()));
            ok.put("description", "success");
            if (r.responseSchema() != null) {
                ok.putObject("content").putObject(r.responseType()).set("schema", parse(r.responseSchema(), r));
            }
            if (r.access() != Access.PUBLIC) {
                problem(responses, "400", "the request is invalid (the problem names the field and the rule)");
                problem(responses, "401", "no key, or an unknown or revoked one");
                if (r.access() == Access.ADMIN) problem(responses, "403", "a tenant's key on an admin route");
                problem(responses, "404", "no such object in the tenant (also another tenant's ids)");
            }
            if (r.requestSchema() != null) {
                problem(responses, "413", "the body is larger than api.max-body-bytes");
                problem(responses, "415", "the body is not JSON");
            }
        }
        ObjectNode components = doc.putObject("components");
        ObjectNode schemas = components.putObject("schemas");
        schemas.set("Job", parse(JobsApi.jobSchema(), null));
        schemas.set("Tenant", parse(TenantsApi.tenantSchema(), null));
        schemas.set("ApiKey", parse(KeysApi.keySchema(), null));
        schemas.set("TenantStats", parse(StatsApi.statsSchema(), null));
        schemas.set("Schedule", parse(SchedulesApi.scheduleSchema(), null));
        schemas.set("Batch", parse(BatchesApi.batchSchema(), null));
        schemas.set("Channel", parse(EventsApi.channelSchema(), null));
        schemas.set("Subscription", parse(EventsApi.subscriptionSchema(), null));
        schemas.set("Problem", parse("{\"type\":\"object\",\"required\":[\"type\",\"title\",\"status\",\"detail\"],"
                + "\"properties\":{\"type\":{\"type\":\"string\",\"format\":\"uri\"},\"title\":{\"type\":\"string\"},"
                + "\"status\":{\"type\":\"integer\"},\"detail\":{\"type\":\"string\"},\"instance\":{\"type\":\"string\"},"
                + "\"field\":{\"type\":\"string\"},\"rule\":{\"type\":\"string\"}}}", null));
        ObjectNode security = components.putObject("securitySchemes");
        security.putObject("adminKey").put("type", "http").put("scheme", "bearer")
                .put("description", "the admin key from the server's configuration (admin.key)");
        security.putObject("tenantKey").put("type", "http").put("scheme", "bearer")
                .put("description", "a tenant's API key (mr_<id>_<secret>), or the admin key with " + Auth.TENANT_HEADER);
        return doc;
    }

    private static void problem(ObjectNode responses, String status, String description) {
        ObjectNode r = responses.putObject(status);
        r.put("description", description);
        r.putObject("content").putObject(Problems.MEDIA_TYPE).putObject("schema")
                .put("$ref", "#/components/schemas/Problem");
    }

    private static JsonNode parse(String json, Route r) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("schema of " + (r == null ? "a component" : r) + " is not JSON: " + json, e);
        }
    }
}
