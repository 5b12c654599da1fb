package dev.millrace.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.millrace.TenantId;
import dev.millrace.event.EventPolicy;
import dev.millrace.event.ReplayFrom;
import dev.millrace.event.Subscription;
import dev.millrace.testing.Db;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Channels, publishing, reading, streaming and subscriptions over the REST API. */
class EventsApiTest extends ServerTest {
    private static final String ORDERS = "{\"name\":\"OrderPlaced\",\"fields\":[{\"name\":\"orderId\",\"type\":\"ID\","
            + "\"required\":true},{\"name\":\"amount\",\"type\":\"NUMBER\"},{\"name\":\"at\",\"type\":\"DATE_TIME\"}]}";

    @AfterEach
    void reset() {
        Collect.failing = false;
        Collect.SEEN.clear();
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void channelIsDeclaredAndEventsArePublishedWithOneResultEachAndReadBack(Db db) {
        MillraceServer server = server(db, false);
        String key = tenantWithKey(server, "acme");
        Response declared = call(server, "POST", "/api/v1/channels", key, ORDERS);
        assertThat(declared.status()).isEqualTo(201);
        assertThat(declared.json().get("fields")).hasSize(3);
        assertThat(call(server, "GET", "/api/v1/channels", key, null).json().at("/items/0/name").asText())
                .isEqualTo("OrderPlaced");

        JsonNode results = call(server, "POST", "/api/v1/channels/OrderPlaced/events", key, "{\"events\":["
                + "{\"orderId\":\"o-1\",\"amount\":12.5,\"at\":\"2026-11-24T10:00:00Z\"},{\"amount\":3},"
                + "{\"orderId\":\"o-3\"}]}").json().get("items");
        assertThat(results).hasSize(3);
        assertThat(results.get(0).get("replayId").asLong()).isEqualTo(1);
        assertThat(results.get(1).get("errorCode").asText()).isEqualTo("REQUIRED_FIELD_MISSING");
        assertThat(results.get(1).get("field").asText()).isEqualTo("orderId");
        assertThat(results.get(2).get("replayId").asLong()).isEqualTo(2);
        assertThat(call(server, "GET", "/api/v1/channels/OrderPlaced", key, null).json().get("lastReplayId").asLong())
                .isEqualTo(2);

        JsonNode all = call(server, "GET", "/api/v1/channels/OrderPlaced/events?from=earliest", key, null).json();
        assertThat(all.get("items")).hasSize(2);
        assertThat(all.at("/items/0/fields/orderId").asText()).isEqualTo("o-1");
        assertThat(all.at("/items/0/fields/amount").decimalValue()).isEqualByComparingTo("12.5");
        assertThat(all.at("/items/0/fields/at").asText()).isEqualTo("2026-11-24T10:00:00Z");
        assertThat(all.get("position").asLong()).isEqualTo(2);
        assertThat(call(server, "GET", "/api/v1/channels/OrderPlaced/events?from=1", key, null).json()
                .at("/items/0/fields/orderId").asText()).isEqualTo("o-3");
        assertThat(call(server, "GET", "/api/v1/channels/OrderPlaced/events", key, null).json().get("items")).isEmpty();

        JsonNode p = call(server, "GET", "/api/v1/channels/OrderPlaced/events?from=soon", key, null).json();
        assertThat(p.get("field").asText()).isEqualTo("from");
        p = call(server, "POST", "/api/v1/channels", key, "{\"name\":\"Bad\",\"fields\":[{\"name\":\"x\",\"type\":\"TEXT\"}]}").json();
        assertThat(p.get("field").asText()).isEqualTo("fields[0].type");
        p = call(server, "POST", "/api/v1/channels/OrderPlaced/events", key, "{\"events\":[]}").json();
        assertThat(p.get("field").asText()).isEqualTo("events");
        assertThat(call(server, "POST", "/api/v1/channels/Nope/events", key, "{\"events\":[{}]}").status()).isEqualTo(404);
        assertThat(call(server, "POST", "/api/v1/channels", key, "{\"name\":\"JobStatusEvent\"}").json().get("field").asText())
                .isEqualTo("name");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void streamFollowsTheChannelAsServerSentEvents(Db db) throws Exception {
        MillraceServer server = server(db, false);
        String key = tenantWithKey(server, "acme");
        call(server, "POST", "/api/v1/channels", key, ORDERS);
        call(server, "POST", "/api/v1/channels/OrderPlaced/events", key, "{\"events\":[{\"orderId\":\"o-1\"}]}");

        HttpResponse<java.io.InputStream> res = http.send(HttpRequest.newBuilder(URI.create(server.url()
                        + "/api/v1/channels/OrderPlaced/events/stream?from=earliest&limit=2"))
                .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + key).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        // The second event is published after the stream opened: it arrives live.
        call(server, "POST", "/api/v1/channels/OrderPlaced/events", key, "{\"events\":[{\"orderId\":\"o-2\"}]}");
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(res.body(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) lines.add(line);
        }
        assertThat(lines).contains("id: 1", "id: 2", "event: OrderPlaced");
        assertThat(lines.stream().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList())
                .hasSize(2).allMatch(d -> d.contains("\"orderId\":\"o-")).last().asString().contains("o-2");

        Response resumed = call(server, "GET", "/api/v1/channels/OrderPlaced/events/stream?limit=1", key, null,
                "Last-Event-ID", "1");
        assertThat(resumed.body()).contains("id: 2").doesNotContain("id: 1\n");
        assertThat(call(server, "GET", "/api/v1/channels/Nope/events/stream", key, null).status()).isEqualTo(404);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void subscriptionStatusShowsLagAndASuspendedOneIsResumedFromTheTip(Db db) {
        MillraceServer server = server(db, false);
        String key = tenantWithKey(server, "acme");
        TenantId acme = TenantId.of("acme");
        call(server, "POST", "/api/v1/channels", key, ORDERS);
        server.millrace().events().subscribe(acme, Subscription.of("billing", "OrderPlaced", Collect.class)
                .startingFrom(ReplayFrom.earliest()));
        call(server, "POST", "/api/v1/channels/OrderPlaced/events", key,
                "{\"events\":[{\"orderId\":\"o-1\"},{\"orderId\":\"o-2\"}]}");

        JsonNode sub = call(server, "GET", "/api/v1/subscriptions/billing", key, null).json();
        assertThat(sub.get("channel").asText()).isEqualTo("OrderPlaced");
        assertThat(sub.get("state").asText()).isEqualTo("ACTIVE");
        assertThat(sub.get("lag").asLong()).isEqualTo(2);
        assertThat(call(server, "GET", "/api/v1/subscriptions", key, null).json().get("items")).hasSize(1);

        Collect.failing = true;
        server.millrace().events().deliverNow(acme);
        JsonNode suspended = call(server, "GET", "/api/v1/subscriptions/billing", key, null).json();
        assertThat(suspended.get("state").asText()).isEqualTo("SUSPENDED");
        assertThat(suspended.get("lastError").asText()).contains("failing on purpose");
        assertThat(suspended.get("checkpoint").asLong()).isZero();

        Collect.failing = false;
        JsonNode resumed = call(server, "POST", "/api/v1/subscriptions/billing/resume", key, "{\"from\":\"TIP\"}").json();
        assertThat(resumed.get("state").asText()).isEqualTo("ACTIVE");
        assertThat(resumed.get("checkpoint").asLong()).isEqualTo(2);
        assertThat(resumed.get("lag").asLong()).isZero();
        assertThat(call(server, "POST", "/api/v1/subscriptions/billing/resume", key, "{\"from\":\"NOW\"}").json()
                .get("field").asText()).isEqualTo("from");
        assertThat(call(server, "GET", "/api/v1/subscriptions/ghost", key, null).status()).isEqualTo(404);
    }

    /** Publishes events o-{from} … o-{from + count - 1} over the API. */
    private void publish(MillraceServer server, String key, int from, int count) {
        StringBuilder b = new StringBuilder("{\"events\":[");
        for (int i = from; i < from + count; i++) {
            b.append(i > from ? "," : "").append("{\"orderId\":\"o-").append(i).append("\"}");
        }
        Response r = call(server, "POST", "/api/v1/channels/OrderPlaced/events", key, b.append("]}").toString());
        assertThat(r.json().get("items")).as(r.body()).allMatch(n -> n.hasNonNull("replayId"));
    }

    private static List<String> orderIds(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.get("items").forEach(e -> ids.add(e.at("/fields/orderId").asText()));
        return ids;
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void readsWithATenantsKeyCountAgainstItsDeliveryAllocationAndAreRefused429OnceItIsUsedUp(Db db) throws Exception {
        MillraceServer server = server(db, false);
        String key = tenantWithKey(server, "acme");
        TenantId acme = TenantId.of("acme");
        call(server, "POST", "/api/v1/channels", key, ORDERS);
        server.millrace().events().putPolicy(acme, EventPolicy.DEFAULTS.withExternalDeliveriesPer24h(5));
        publish(server, key, 0, 8);

        JsonNode page = call(server, "GET", "/api/v1/channels/OrderPlaced/events?from=earliest&limit=3", key, null)
                .json();
        assertThat(orderIds(page)).containsExactly("o-0", "o-1", "o-2");
        // Five wait, two are left of the allocation: the page holds those two, and its position says where it ended.
        page = call(server, "GET", "/api/v1/channels/OrderPlaced/events?from=3", key, null).json();
        assertThat(orderIds(page)).containsExactly("o-3", "o-4");
        assertThat(page.get("position").asLong()).isEqualTo(5);

        HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create(server.url()
                        + "/api/v1/channels/OrderPlaced/events?from=5")).header("Authorization", "Bearer " + key)
                        .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        JsonNode problem = JSON.readTree(refused.body());
        assertThat(problem.get("rule").asText()).isEqualTo("externalDeliveriesPer24h");
        assertThat(problem.get("allocation").asLong()).isEqualTo(5);
        assertThat(problem.get("used").asLong()).isEqualTo(5);
        java.time.Instant resetsAt = java.time.Instant.parse(problem.get("resetsAt").asText());
        assertThat(resetsAt).isAfter(java.time.Instant.now().plus(Duration.ofHours(22)));
        assertThat(problem.get("detail").asText()).contains("external deliveries of the last 24 hours",
                "externalDeliveriesPer24h", resetsAt.toString());
        assertThat(refused.headers().firstValue("Retry-After")).as("an HTTP date").hasValueSatisfying(v ->
                assertThat(java.time.ZonedDateTime.parse(v, java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME)
                        .toInstant()).isEqualTo(resetsAt));

        // An operator reading with the admin key (the dashboard) is not one of the tenant's clients: not counted.
        assertThat(orderIds(call(server, "GET", "/api/v1/channels/OrderPlaced/events?from=5", ADMIN, null,
                "Millrace-Tenant", "acme").json())).containsExactly("o-5", "o-6", "o-7");

        JsonNode limits = call(server, "GET", "/api/v1/limits", key, null).json();
        assertThat(limits.at("/usage/externalDeliveries").asLong()).isEqualTo(5);
        assertThat(limits.at("/allowances/externalDeliveriesPer24h").asLong()).isEqualTo(5);
        JsonNode usage = call(server, "GET", "/api/v1/usage", ADMIN, null).json();
        assertThat(usage.at("/items/0/tenant").asText()).isEqualTo("acme");
        assertThat(usage.at("/items/0/usage/externalDeliveries").asLong()).isEqualTo(5);

        // The refused events stay replayable: with a larger allocation the same read returns them.
        server.millrace().events().putPolicy(acme, EventPolicy.DEFAULTS.withExternalDeliveriesPer24h(10));
        assertThat(orderIds(call(server, "GET", "/api/v1/channels/OrderPlaced/events?from=5", key, null).json()))
                .containsExactly("o-5", "o-6", "o-7");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aStreamEndsWithAnErrorEventNamingTheAllocationAndReconnectingIsRefused429(Db db) throws Exception {
        MillraceServer server = server(db, false);
        String key = tenantWithKey(server, "acme");
        call(server, "POST", "/api/v1/channels", key, ORDERS);
        server.millrace().events().putPolicy(TenantId.of("acme"), EventPolicy.DEFAULTS.withExternalDeliveriesPer24h(3));
        publish(server, key, 1, 2);

        HttpResponse<java.io.InputStream> res = http.send(HttpRequest.newBuilder(URI.create(server.url()
                        + "/api/v1/channels/OrderPlaced/events/stream?from=earliest"))
                .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + key).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(res.statusCode()).isEqualTo(200);
        // Published while the stream is open: the first fits the allocation, the second ends the stream.
        publish(server, key, 3, 2);
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(res.body(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) lines.add(line);
        }
        assertThat(lines).contains("id: 1", "id: 2", "id: 3", "event: error").doesNotContain("id: 4");
        JsonNode error = JSON.readTree(lines.get(lines.size() - 2).substring("data: ".length()));
        assertThat(error.get("status").asInt()).isEqualTo(429);
        assertThat(error.get("rule").asText()).isEqualTo("externalDeliveriesPer24h");
        assertThat(error.get("allocation").asLong()).isEqualTo(3);
        assertThat(error.get("resetsAt").asText()).isNotBlank();

        Response again = call(server, "GET", "/api/v1/channels/OrderPlaced/events/stream", key, null,
                "Last-Event-ID", "3");
        assertThat(again.status()).isEqualTo(429);
        assertThat(again.json().get("rule").asText()).isEqualTo("externalDeliveriesPer24h");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aSubscriptionIsCreatedWithTheIdentityItsHandlerRunsAsAndShowsIt(Db db) {
        MillraceServer server = server(db, false);
        String key = tenantWithKey(server, "acme");
        call(server, "POST", "/api/v1/channels", key, ORDERS);
        Response created = call(server, "POST", "/api/v1/subscriptions", key,
                "{\"name\":\"billing\",\"channel\":\"OrderPlaced\",\"handler\":\"Collect\",\"runAs\":\"billing-bot\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().get("runAs").asText()).isEqualTo("billing-bot");
        call(server, "POST", "/api/v1/subscriptions", key,
                "{\"name\":\"plain\",\"channel\":\"OrderPlaced\",\"handler\":\"Collect\"}");
        assertThat(call(server, "GET", "/api/v1/subscriptions/plain", key, null).json().get("runAs").asText())
                .isEqualTo(Subscription.DEFAULT_RUN_AS);
        assertThat(server.millrace().events().status(TenantId.of("acme"), "billing").get(0).runAs())
                .isEqualTo("billing-bot");

        JsonNode blank = call(server, "POST", "/api/v1/subscriptions", key,
                "{\"name\":\"x\",\"channel\":\"OrderPlaced\",\"handler\":\"Collect\",\"runAs\":\"  \"}").json();
        assertThat(blank.get("status").asInt()).isEqualTo(400);
        assertThat(blank.get("field").asText()).isEqualTo("runAs");
        assertThat(blank.get("detail").asText()).contains("not blank");
        JsonNode tooLong = call(server, "POST", "/api/v1/subscriptions", key,
                "{\"name\":\"x\",\"channel\":\"OrderPlaced\",\"handler\":\"Collect\",\"runAs\":\""
                        + "r".repeat(201) + "\"}").json();
        assertThat(tooLong.get("field").asText()).isEqualTo("runAs");
        assertThat(call(server, "GET", "/api/v1/subscriptions/x", key, null).status()).isEqualTo(404);
    }

    @ParameterizedTest
    @EnumSource(value = Db.class, names = "H2")
    void closingTheServerEndsAnOpenStreamPromptly(Db db) throws Exception {
        MillraceServer server = server(db, false);
        String key = tenantWithKey(server, "acme");
        call(server, "POST", "/api/v1/channels", key, ORDERS);
        HttpResponse<java.io.InputStream> res = http.send(HttpRequest.newBuilder(URI.create(server.url()
                        + "/api/v1/channels/OrderPlaced/events/stream")).header("Authorization", "Bearer " + key).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(res.statusCode()).isEqualTo(200);
        long t0 = System.nanoTime();
        server.close();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        try (java.io.InputStream in = res.body()) {
            in.readAllBytes();   // the stream ended: reading returns rather than waiting for events
        } catch (java.io.IOException e) {
            // A reset is an end too.
        }
    }
}
