package dev.millrace.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.millrace.TenantId;
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
