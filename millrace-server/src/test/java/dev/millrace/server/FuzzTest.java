package dev.millrace.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.millrace.server.http.Access;
import dev.millrace.server.http.IdKind;
import dev.millrace.server.http.Route;
import dev.millrace.testing.Db;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * At least 10,000 malformed requests against every route of the route table: bad JSON, wrong types, unknown
 * fields, huge values, oversized bodies, bad ids, bad query parameters, wrong media types, bad keys. Not one may
 * be answered 5xx, each must be a 4xx problem, and the store must be exactly as before.
 */
class FuzzTest extends ServerTest {
    static final int REQUESTS = 10_000;
    private static final String[] BAD_IDS = {"x", "..", "%2e%2e%2f", "0", "-1", "null", "00000000-0000-0000-0000-000000000000",
            "0193a5e2-7c1b-7d4e-9a4f-1c2d3e4f5a6b", "' OR 1=1 --", "ünïcødé", "%00", "a".repeat(5000),
            "01a2b3c4-zzzz-7000-8000-000000000000", "1e308", "{}", "[]"};
    private static final String[] BAD_NAMES = {"a b", "' OR 1=1 --", "ünïcødé", "a".repeat(101), "{}", "x/y",
            "%00", "@"};
    private static final String[] BAD_JSON = {"", "{", "}", "[]", "null", "1", "\"text\"", "{\"a\":}", "{'a':1}",
            "{\"a\":1,}", "{\"a\" 1}", "\u0000", "{\"a\":1}{\"b\":2}", "{\"a\":NaN}", "{\"a\":tru}", "{\"a\":\"\\x\"}",
            "{\"a\":1,\"a\":2}", "[".repeat(10_000), "{\"a\":" + "1".repeat(2_000) + "}"};
    private static final Object[] WRONG_VALUES = {true, 1.5, -1, Long.MAX_VALUE, "1e400", List.of(1, 2),
            Map.of("x", 1), "\u0000", 1e300, -9_999_999_999_999L};

    @ParameterizedTest
    @EnumSource(Db.class)
    void tenThousandMalformedRequestsGetFourHundredsAndChangeNothing(Db db) throws Exception {
        // The node does not run jobs, so any change to the store would come from a request.
        MillraceServer server = server(db, false);
        String key = tenantWithKey(server, "acme");
        tenantWithKey(server, "globex");
        enqueue(server, key, "{\"type\":\"Note\",\"state\":{\"text\":\"kept\"}}");
        String before = snapshot(server);

        Random random = new Random(20261124);
        List<Route> routes = server.routes();
        Map<Integer, Integer> byStatus = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            Route r = routes.get(random.nextInt(routes.size()));
            Request req = malformed(r, random, r.access() == Access.ADMIN ? ADMIN : key);
            if (req == null) {
                i--;
                continue;
            }
            HttpResponse<String> res;
            try {
                res = send(server, req);
            } catch (java.io.IOException e) {
                failures.add(req + " -> no response: " + e);
                break;
            }
            byStatus.merge(res.statusCode(), 1, Integer::sum);
            if (res.statusCode() >= 500 || res.statusCode() < 400) {
                failures.add(req + " -> " + res.statusCode() + " " + res.body());
                if (failures.size() > 20) break;
            }
        }
        assertThat(failures).as("requests not refused with 4xx; statuses: " + byStatus).isEmpty();
        assertThat(byStatus.values().stream().mapToInt(Integer::intValue).sum()).isGreaterThanOrEqualTo(REQUESTS);
        assertThat(snapshot(server)).isEqualTo(before);
    }

    /** One request. */
    private record Request(String method, String path, String key, String contentType, byte[] body) {
        @Override
        public String toString() {
            String b = body == null ? "" : new String(body, StandardCharsets.UTF_8);
            return method + " " + (path.length() > 120 ? path.substring(0, 120) + "…" : path) + " "
                    + (b.length() > 200 ? b.substring(0, 200) + "…" : b);
        }
    }

    /** A request to the route that must be refused, or null when the route offers nothing to break that way. */
    private Request malformed(Route r, Random random, String key) {
        int kind = random.nextInt(8);
        boolean hasBody = r.requestExample() != null;
        boolean hasIds = !r.pathParams().isEmpty();
        String goodPath = r.fill(r.pathParams().stream().map(p -> switch (p.kind()) {
            case TENANT -> "acme";
            case JOB -> "0193a5e2-7c1b-7d4e-9a4f-1c2d3e4f5a6b";
            case API_KEY -> "0123456789abcdef";
            case BATCH, SCHEDULE -> "0193a5e2-7c1b-7d4e-9a4f-1c2d3e4f5a6b";
            case CHANNEL -> "GhostChannel";
            case SUBSCRIPTION -> "ghost-subscription";
            case FLAG -> "ghostFlag";
        }).toArray(String[]::new));
        switch (kind) {
            case 0 -> { // bad ids in the path (any method)
                if (!hasIds) return null;
                // Any name is a good flag name for its tenant, so a flag's is always one the name rule refuses.
                String[] ids = r.pathParams().stream().map(p -> enc(p.kind() == IdKind.FLAG
                                ? BAD_NAMES[random.nextInt(BAD_NAMES.length)] : BAD_IDS[random.nextInt(BAD_IDS.length)]))
                        .toArray(String[]::new);
                // A tenant id that exists is not a bad id: keep one of them bad at least.
                return new Request(r.method().name(), r.fill(ids), key, "application/json",
                        hasBody ? r.requestExample().getBytes(StandardCharsets.UTF_8) : null);
            }
            case 1 -> { // bad JSON
                if (!hasBody) return null;
                String b = BAD_JSON[random.nextInt(BAD_JSON.length)];
                if (b.isEmpty() && r.path().endsWith("/keys")) return null; // the key's body is optional
                return new Request(r.method().name(), goodPath, key, "application/json", b.getBytes(StandardCharsets.UTF_8));
            }
            case 2 -> { // a field of the example with a value of the wrong type or out of range
                if (!hasBody) return null;
                ObjectNode body = example(r);
                List<String> paths = leaves(body, "");
                if (paths.isEmpty()) return null;
                String target = paths.get(random.nextInt(paths.size()));
                JsonNode original = body.at(target);
                Object value = WRONG_VALUES[random.nextInt(WRONG_VALUES.length)];
                JsonNode wrong = JSON.valueToTree(value);
                if (sameKind(original, wrong)) return null;
                set(body, target, wrong);
                return json(r, goodPath, key, body);
            }
            case 3 -> { // an unknown field, at the top or inside an object of the example
                if (!hasBody) return null;
                ObjectNode body = example(r);
                List<ObjectNode> objects = new ArrayList<>();
                objects(body, objects);
                objects.get(random.nextInt(objects.size())).put("unknown" + random.nextInt(1000), random.nextInt());
                return json(r, goodPath, key, body);
            }
            case 4 -> { // a huge value: a string far beyond any field's length
                if (!hasBody) return null;
                ObjectNode body = example(r);
                List<String> strings = new ArrayList<>();
                body.fields().forEachRemaining(e -> {
                    if (e.getValue().isTextual()) strings.add(e.getKey());
                });
                if (strings.isEmpty()) return null;
                body.put(strings.get(random.nextInt(strings.size())), "x".repeat(1_000 + random.nextInt(40_000)));
                return json(r, goodPath, key, body);
            }
            case 5 -> { // an oversized body
                if (!hasBody) return null;
                ObjectNode body = example(r);
                body.put("padding", "y".repeat(70_000));
                return json(r, goodPath, key, body);
            }
            case 6 -> { // bad query parameters, or a body that is not JSON
                if (r.method().name().equals("GET")) {
                    String[] q = {"limit=0", "limit=-5", "limit=abc", "limit=99999999999", "status=DONE", "type=BATCHY",
                            "after=nope", "parent=1", "unknown=1", "limit=1&limit=2", "status=QUEUED,BOGUS"};
                    if (!r.path().equals("/api/v1/jobs") && r.queryParams().isEmpty()) return null;
                    return new Request("GET", goodPath + "?" + q[random.nextInt(q.length)], key, null, null);
                }
                if (!hasBody) return null;
                return new Request(r.method().name(), goodPath, key, "text/plain",
                        r.requestExample().getBytes(StandardCharsets.UTF_8));
            }
            default -> { // a bad key
                if (r.access() == Access.PUBLIC) return null;
                String[] keys = {"", "mr_", "mr_0123456789abcdef_" + "A".repeat(43), "Basic abc", key + "x",
                        "mr_zz_zz", "\u00e9".repeat(10), key.substring(0, key.length() - 1) + "Q"};
                String bad = keys[random.nextInt(keys.length)];
                if (bad.equals(key)) return null;
                return new Request(r.method().name(), goodPath, bad, "application/json",
                        hasBody ? r.requestExample().getBytes(StandardCharsets.UTF_8) : null);
            }
        }
    }

    private static Request json(Route r, String path, String key, ObjectNode body) {
        return new Request(r.method().name(), path, key, "application/json", body.toString().getBytes(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> send(MillraceServer server, Request req) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + req.path())).timeout(Duration.ofSeconds(30))
                .method(req.method(), req.body() == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(req.body()));
        if (req.key() != null && !req.key().isEmpty()) {
            String value = req.key().startsWith("Basic") ? req.key() : "Bearer " + req.key();
            b.header("Authorization", value.replaceAll("[^\\x20-\\x7e]", "?"));
        }
        if (req.contentType() != null) b.header("Content-Type", req.contentType());
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static ObjectNode example(Route r) {
        try {
            return (ObjectNode) JSON.readTree(r.requestExample());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** JSON pointers of the example's leaves and objects (an object replaced by a scalar is wrong too). */
    private static List<String> leaves(JsonNode node, String at) {
        List<String> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String p = at + "/" + e.getKey();
            out.add(p);
            if (e.getValue().isObject()) out.addAll(leaves(e.getValue(), p));
        }
        return out;
    }

    private static void objects(ObjectNode node, List<ObjectNode> out) {
        out.add(node);
        node.fields().forEachRemaining(e -> {
            if (e.getValue().isObject()) objects((ObjectNode) e.getValue(), out);
        });
    }

    private static void set(ObjectNode root, String pointer, JsonNode value) {
        int slash = pointer.lastIndexOf('/');
        JsonNode parent = slash == 0 ? root : root.at(pointer.substring(0, slash));
        ((ObjectNode) parent).set(pointer.substring(slash + 1), value);
    }

    /** Whether a replacement would be of the same JSON kind as the original (and so maybe valid). */
    private static boolean sameKind(JsonNode a, JsonNode b) {
        if (a.isObject() && b.isObject()) return true;
        if (a.isTextual() && b.isTextual()) return true;
        if (a.isBoolean() && b.isBoolean()) return true;
        if (a.isIntegralNumber() && b.isIntegralNumber()) return !b.canConvertToInt() ? false : b.intValue() >= 0;
        return false;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Every tenant with its policy, keys and jobs, as text. */
    private String snapshot(MillraceServer server) {
        StringBuilder s = new StringBuilder(call(server, "GET", "/api/v1/tenants", ADMIN, null).body());
        for (String t : List.of("acme", "globex")) {
            s.append(call(server, "GET", "/api/v1/tenants/" + t + "/keys", ADMIN, null).body());
            s.append(call(server, "GET", "/api/v1/jobs?limit=1000", ADMIN, null, "Millrace-Tenant", t).body());
            for (String list : List.of("/api/v1/schedules", "/api/v1/flags", "/api/v1/channels", "/api/v1/subscriptions",
                    "/api/v1/flex-queue")) {
                s.append(call(server, "GET", list, ADMIN, null, "Millrace-Tenant", t).body());
            }
        }
        return s.toString();
    }
}
