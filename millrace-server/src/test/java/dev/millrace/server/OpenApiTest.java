package dev.millrace.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.millrace.server.http.Route;
import dev.millrace.testing.Db;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/** The served OpenAPI document describes exactly the routes the server answers on. */
class OpenApiTest extends ServerTest {

    @ParameterizedTest
    @EnumSource(value = Db.class, names = "H2")
    void documentListsExactlyTheServedRoutes(Db db) {
        MillraceServer server = server(db, false);
        Response res = call(server, "GET", MillraceServer.OPENAPI_PATH, null, null);
        assertThat(res.status()).isEqualTo(200);
        JsonNode doc = res.json();
        assertThat(doc.get("openapi").asText()).isEqualTo("3.1.0");

        Set<String> documented = new TreeSet<>();
        for (Iterator<String> paths = doc.get("paths").fieldNames(); paths.hasNext(); ) {
            String path = paths.next();
            doc.get("paths").get(path).fieldNames().forEachRemaining(m -> documented.add(m.toUpperCase(Locale.ROOT) + " " + path));
        }
        Set<String> served = new TreeSet<>();
        for (Route r : server.routes()) served.add(r.method().name() + " " + r.path());
        assertThat(documented).isEqualTo(served);

        // Every documented operation is answered by a handler of its own, not by the no-route or 405 answer.
        List<String> unanswered = new ArrayList<>();
        for (Route r : server.routes()) {
            String path = r.fill(r.pathParams().stream().map(p -> "x").toArray(String[]::new));
            Response answer = call(server, r.method().name(), path, ADMIN, r.requestExample(), "Millrace-Tenant", "nobody");
            if (answer.status() == 405 || answer.body().contains("no route ")) unanswered.add(r + ": " + answer);
        }
        assertThat(unanswered).isEmpty();
        // And a method the document does not list is refused.
        assertThat(call(server, "PUT", "/api/v1/jobs", ADMIN, "{}").status()).isEqualTo(405);
        assertThat(call(server, "GET", "/api/v1/nothing-here", ADMIN, null).status()).isEqualTo(404);
    }

    @ParameterizedTest
    @EnumSource(value = Db.class, names = "H2")
    void everyReferenceResolvesAndEveryOperationSaysWhoMayCallIt(Db db) {
        MillraceServer server = server(db, false);
        JsonNode doc = call(server, "GET", MillraceServer.OPENAPI_PATH, null, null).json();
        List<String> refs = new ArrayList<>();
        collectRefs(doc, refs);
        assertThat(refs).isNotEmpty();
        for (String ref : refs) assertThat(doc.at(ref.substring(1)).isMissingNode()).as(ref).isFalse();
        doc.get("paths").forEach(p -> p.forEach(op -> {
            assertThat(op.get("operationId").asText()).isNotBlank();
            assertThat(op.get("x-millrace-access").asText()).isIn("PUBLIC", "ADMIN", "TENANT");
            assertThat(op.get("responses").size()).isPositive();
        }));
    }

    private static void collectRefs(JsonNode node, List<String> out) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> {
                if (e.getKey().equals("$ref")) out.add(e.getValue().asText());
                else collectRefs(e.getValue(), out);
            });
        } else if (node.isArray()) {
            node.forEach(n -> collectRefs(n, out));
        }
    }
}
