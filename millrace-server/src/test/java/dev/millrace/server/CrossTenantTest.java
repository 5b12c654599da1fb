package dev.millrace.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.millrace.JobQuery;
import dev.millrace.TenantId;
import dev.millrace.server.http.Access;
import dev.millrace.server.http.IdKind;
import dev.millrace.server.http.PathParam;
import dev.millrace.server.http.Route;
import dev.millrace.testing.Db;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tenant isolation on every route the server serves, walked from its route table, so a route added later is
 * covered without touching this test (and a new kind of id fails it until it has a fixture below).
 */
class CrossTenantTest extends ServerTest {

    @ParameterizedTest
    @EnumSource(Db.class)
    void noRouteLetsOneTenantReachAnotherTenantsData(Db db) {
        MillraceServer server = server(db, false);
        String keyA = tenantWithKey(server, "alpha");
        String keyB = tenantWithKey(server, "beta");
        String jobA = enqueue(server, keyA, "{\"type\":\"Note\",\"state\":{\"text\":\"secret-of-alpha\"}}");
        String keyIdA = call(server, "GET", "/api/v1/tenants/alpha/keys", ADMIN, null).json().at("/items/0/id").asText();
        Map<IdKind, String> alpha = new EnumMap<>(IdKind.class);
        alpha.put(IdKind.TENANT, "alpha");
        alpha.put(IdKind.JOB, jobA);
        alpha.put(IdKind.API_KEY, keyIdA);
        alpha.put(IdKind.SCHEDULE, schedule(server, keyA, "alpha-nightly", "0 0 2 * * ?"));
        alpha.put(IdKind.FLAG, "sharedFlag");
        call(server, "PUT", "/api/v1/flags/sharedFlag", keyA, "{\"enabled\":true}");
        call(server, "POST", "/api/v1/channels", keyA, "{\"name\":\"AlphaOrders\",\"fields\":[{\"name\":\"orderId\","
                + "\"type\":\"ID\",\"required\":true}]}");
        call(server, "POST", "/api/v1/channels/AlphaOrders/events", keyA, "{\"events\":[{\"orderId\":\"o-1\"}]}");
        server.millrace().events().subscribe(TenantId.of("alpha"), dev.millrace.event.Subscription.of("alpha-billing",
                "AlphaOrders", Collect.class).startingFrom(dev.millrace.event.ReplayFrom.earliest()));
        alpha.put(IdKind.CHANNEL, "AlphaOrders");
        alpha.put(IdKind.BATCH, server.millrace().executeBatch(TenantId.of("alpha"), new Count(5, -1), 2).value());
        alpha.put(IdKind.SUBSCRIPTION, "alpha-billing");
        String before = snapshot(server);

        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (Route r : server.routes()) {
            String[] ids = r.pathParams().stream().map(p -> fixture(alpha, p, r)).toArray(String[]::new);
            String path = r.fill(ids);
            String body = r.requestExample();
            switch (r.access()) {
                case PUBLIC -> {
                    Response res = call(server, r.method().name(), path, keyB, body);
                    if (res.body().contains("secret-of-alpha") || res.body().contains(jobA)) {
                        failures.add(r + " (public) shows alpha's data: " + res);
                    }
                }
                case ADMIN -> {
                    // A tenant key is refused the same way whether the ids exist or not: nothing to learn.
                    Response res = call(server, r.method().name(), path, keyB, body);
                    String[] ghosts = r.pathParams().stream().map(p -> ghost(p.kind())).toArray(String[]::new);
                    Response ghost = call(server, r.method().name(), r.fill(ghosts), keyB, body);
                    if (res.status() != 403 || ghost.status() != 403
                            || !res.json().get("detail").equals(ghost.json().get("detail"))) {
                        failures.add(r + " with beta's key: expected the same 403 for alpha's ids and unknown ids, got "
                                + res + " and " + ghost);
                    }
                }
                case TENANT -> {
                    if (r.pathParams().stream().anyMatch(p -> p.kind() == IdKind.FLAG)) {
                        // A flag name is the caller's own: beta may set its flag of that name; the snapshot below
                        // proves alpha's flag is untouched.
                        Response res = call(server, r.method().name(), path, keyB, body);
                        if (res.status() >= 500 || res.body().contains("alpha")) {
                            failures.add(r + " with beta's key on a flag name shows alpha's data or fails: " + res);
                        }
                    } else if (!r.pathParams().isEmpty()) {
                        Response res = call(server, r.method().name(), path, keyB, body);
                        if (res.status() != 404) failures.add(r + " with beta's key on alpha's ids: expected 404, got " + res);
                        // A tenant's key cannot name another tenant: the header is for the admin key only.
                        Response spoof = call(server, r.method().name(), path, keyB, body, "Millrace-Tenant", "alpha");
                        if (spoof.status() != 404) {
                            failures.add(r + " with beta's key naming alpha in the header: expected 404, got " + spoof);
                        }
                        Response admin = call(server, r.method().name(), path, ADMIN, body, "Millrace-Tenant", "beta");
                        if (admin.status() != 404) {
                            failures.add(r + " as admin for beta on alpha's ids: expected 404, got " + admin);
                        }
                        if (r.method().name().equals("GET")) {
                            // The fixture is real: alpha's own key finds it (reads only, so alpha's state stays).
                            Response own = r.responseType().equals("text/event-stream")
                                    ? head(server, path, keyA) : call(server, "GET", path, keyA, null);
                            if (own.status() != 200) failures.add(r + " fixture is wrong: alpha's own key gets " + own);
                        }
                    } else {
                        Response res = call(server, r.method().name(), path, keyB, body);
                        if (res.status() >= 500 || res.body().contains("alpha") || res.body().contains(jobA)) {
                            failures.add(r + " with beta's key shows alpha's data or fails: " + res);
                        }
                    }
                }
            }
            checked++;
        }
        assertThat(failures).isEmpty();
        assertThat(checked).isEqualTo(server.routes().size());
        // Beta's requests changed nothing of alpha's (beta may have enqueued jobs of its own).
        assertThat(snapshot(server)).isEqualTo(before);
        assertThat(server.millrace().jobs().find(JobQuery.forTenant(TenantId.of("beta")).build()).jobs())
                .allMatch(j -> j.tenant().value().equals("beta"));
    }

    /** The status of a GET whose body does not end (a stream): headers only, then the connection is dropped. */
    private Response head(MillraceServer server, String path, String key) {
        try {
            java.net.http.HttpResponse<java.io.InputStream> r = http.send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create(server.url() + path)).timeout(java.time.Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + key).GET().build(),
                    java.net.http.HttpResponse.BodyHandlers.ofInputStream());
            r.body().close();
            return new Response(r.statusCode(), "", r.headers().firstValue("Content-Type").orElse(""));
        } catch (Exception e) {
            throw new AssertionError("GET " + path + " failed: " + e, e);
        }
    }

    /** Alpha's jobs (ids and statuses), keys (ids and whether active) and policy. */
    private String snapshot(MillraceServer server) {
        JsonNode jobs = call(server, "GET", "/api/v1/jobs?limit=1000", ADMIN, null, "Millrace-Tenant", "alpha").json();
        StringBuilder s = new StringBuilder();
        jobs.get("items").forEach(j -> s.append(j.get("id").asText()).append(j.get("status").asText()).append(';'));
        call(server, "GET", "/api/v1/tenants/alpha/keys", ADMIN, null).json().get("items")
                .forEach(k -> s.append(k.get("id").asText()).append(k.get("active").asText()).append(';'));
        s.append(call(server, "GET", "/api/v1/tenants/alpha", ADMIN, null).body());
        for (String list : List.of("/api/v1/schedules", "/api/v1/flags", "/api/v1/channels", "/api/v1/subscriptions",
                "/api/v1/channels/AlphaOrders/events?from=earliest", "/api/v1/flex-queue")) {
            s.append(call(server, "GET", list, ADMIN, null, "Millrace-Tenant", "alpha").body());
        }
        return s.toString();
    }

    private static String fixture(Map<IdKind, String> fixtures, PathParam p, Route r) {
        String id = fixtures.get(p.kind());
        if (id == null) {
            throw new AssertionError("route " + r + " takes a " + p.kind() + " id, and this test has no fixture of that"
                    + " kind: add one so the route's tenant isolation is checked");
        }
        return id;
    }

    private static String ghost(IdKind kind) {
        return switch (kind) {
            case TENANT -> "ghost";
            case JOB -> "0193a5e2-7c1b-7d4e-9a4f-1c2d3e4f5a6b";
            case API_KEY -> "0123456789abcdef";
            case BATCH, SCHEDULE -> "0193a5e2-7c1b-7d4e-9a4f-1c2d3e4f5a6b";
            case CHANNEL -> "GhostChannel";
            case SUBSCRIPTION -> "ghost-subscription";
            case FLAG -> "ghostFlag";
        };
    }
}
