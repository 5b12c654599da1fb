package dev.millrace.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.millrace.JobStatus;
import dev.millrace.TenantId;
import dev.millrace.testing.Db;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Usage of the allowances, shares of worker time, the node's own worker count, and subscriptions made over REST. */
class UsageSharesSubscriptionsApiTest extends ServerTest {

    @ParameterizedTest
    @EnumSource(Db.class)
    void limitsAndUsageShowWhatEachTenantUsesOfItsAllowances(Db db) {
        MillraceServer server = server(db, false);
        String acme = tenantWithKey(server, "acme");
        tenantWithKey(server, "globex");
        enqueue(server, acme, "{\"type\":\"Note\",\"state\":{\"text\":\"a\"}}");
        enqueue(server, acme, "{\"type\":\"Note\",\"state\":{\"text\":\"b\"}}");
        schedule(server, acme, "nightly", "0 0 2 * * ?");
        call(server, "POST", "/api/v1/channels", acme, "{\"name\":\"Orders\",\"fields\":[{\"name\":\"orderId\","
                + "\"type\":\"ID\",\"required\":true}]}");

        JsonNode usage = call(server, "GET", "/api/v1/limits", acme, null).json().get("usage");
        assertThat(usage.get("asyncExecutions").asLong()).isEqualTo(2);
        assertThat(usage.get("schedules").asInt()).isEqualTo(1);
        assertThat(usage.get("activeBatches").asInt()).isZero();
        assertThat(usage.get("flexQueue").asInt()).isZero();
        assertThat(usage.get("channels").asInt()).isEqualTo(1);
        assertThat(usage.get("subscriptions").asInt()).isZero();

        Response all = call(server, "GET", "/api/v1/usage", ADMIN, null);
        assertThat(all.status()).isEqualTo(200);
        JsonNode items = all.json().get("items");
        assertThat(items).hasSize(2);
        assertThat(items.get(0).get("tenant").asText()).isEqualTo("acme");
        assertThat(items.get(0).at("/usage/schedules").asInt()).isEqualTo(1);
        assertThat(items.get(0).at("/allowances/maxSchedules").asInt()).isEqualTo(100);
        assertThat(items.get(1).at("/usage/asyncExecutions").asLong()).isZero();
        assertThat(call(server, "GET", "/api/v1/usage", acme, null).status()).isEqualTo(403);
        assertThat(call(server, "GET", "/api/v1/usage?tenant=acme", ADMIN, null).json().get("field").asText())
                .isEqualTo("tenant");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void sharesShowEachTenantsWorkerTimeAndTheOverviewTheNodesOwnWorkers(Db db) {
        MillraceServer server = server(db, true);
        String acme = tenantWithKey(server, "acme");
        String globex = tenantWithKey(server, "globex");
        String a = enqueue(server, acme, "{\"type\":\"Note\",\"state\":{\"text\":\"a\"}}");
        String b = enqueue(server, acme, "{\"type\":\"Note\",\"state\":{\"text\":\"b\"}}");
        String g = enqueue(server, globex, "{\"type\":\"Note\",\"state\":{\"text\":\"g\"}}");
        await().atMost(Duration.ofSeconds(30)).until(() -> java.util.stream.Stream.of(a, b, g).allMatch(id ->
                server.millrace().jobs().find(TenantId.of(id.equals(g) ? "globex" : "acme"), dev.millrace.JobId.of(id))
                        .orElseThrow().status() == JobStatus.COMPLETED));

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            JsonNode shares = call(server, "GET", "/api/v1/shares", ADMIN, null).json();
            assertThat(shares.get("node").asText()).isEqualTo(server.millrace().nodeId());
            assertThat(shares.get("workers").asInt()).isEqualTo(server.millrace().status().workers());
            assertThat(shares.get("governor").asText()).isEqualTo("NORMAL");
            JsonNode tenants = shares.get("tenants");
            assertThat(tenants).hasSize(2);
            assertThat(tenants.get(0).get("tenant").asText()).isEqualTo("acme");
            assertThat(tenants.get(0).get("started").asLong()).isEqualTo(2);
            assertThat(tenants.get(1).get("started").asLong()).isEqualTo(1);
            assertThat(tenants.get(0).at("/lanes/0/type").asText()).isEqualTo("QUEUEABLE");
            assertThat(tenants.get(0).at("/lanes/0/tier").asInt()).isZero();
            double sum = tenants.get(0).get("share").asDouble() + tenants.get(1).get("share").asDouble();
            if (shares.get("workerSeconds").asDouble() > 0) assertThat(sum).isBetween(0.99, 1.01);
        });
        assertThat(call(server, "GET", "/api/v1/shares", acme, null).status()).isEqualTo(403);

        // The metrics carry the same lanes.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(call(server, "GET", "/metrics", ADMIN, null)
                .body()).contains("millrace_fair_started_total{tenant=\"acme\",type=\"QUEUEABLE\"} 2.0")
                .contains("millrace_fair_worker_seconds_total{tenant=\"globex\"")
                .contains("millrace_fair_tier{tenant=\"acme\",type=\"QUEUEABLE\"} 0.0"));

        // The overview's worker count is the node's, not the settings' (the test node has its own).
        JsonNode node = call(server, "GET", "/api/v1/overview", ADMIN, null).json().at("/nodes/0");
        assertThat(node.get("workers").asInt()).isEqualTo(server.millrace().status().workers());
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void subscriptionIsCreatedNamingARegisteredHandlerAndDeleted(Db db) {
        MillraceServer server = server(db, false);
        String acme = tenantWithKey(server, "acme");
        call(server, "POST", "/api/v1/channels", acme, "{\"name\":\"Orders\",\"fields\":[{\"name\":\"orderId\","
                + "\"type\":\"ID\",\"required\":true}]}");

        Response created = call(server, "POST", "/api/v1/subscriptions", acme, "{\"name\":\"billing\",\"channel\":"
                + "\"Orders\",\"handler\":\"Collect\",\"batchSize\":100,\"partitions\":2,\"partitionKey\":\"orderId\","
                + "\"from\":\"earliest\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.json().get("name").asText()).isEqualTo("billing");
        assertThat(created.json().get("state").asText()).isEqualTo("ACTIVE");
        assertThat(created.json().get("partitions")).hasSize(2);
        assertThat(call(server, "GET", "/api/v1/subscriptions/billing", acme, null).status()).isEqualTo(200);

        // The full class name works too; the name is now taken.
        Response again = call(server, "POST", "/api/v1/subscriptions", acme, "{\"name\":\"billing\",\"channel\":"
                + "\"Orders\",\"handler\":\"" + Collect.class.getName() + "\"}");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.json().get("detail").asText()).contains("already exists");

        Response unknown = call(server, "POST", "/api/v1/subscriptions", acme, "{\"name\":\"ship\",\"channel\":"
                + "\"Orders\",\"handler\":\"ShipOrders\"}");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().get("field").asText()).isEqualTo("handler");
        assertThat(unknown.json().get("rule").asText()).isEqualTo("registered-handler");
        assertThat(unknown.json().get("detail").asText()).contains("'ShipOrders' is not registered")
                .contains(Collect.class.getName());

        Response noChannel = call(server, "POST", "/api/v1/subscriptions", acme, "{\"name\":\"ship\",\"channel\":"
                + "\"Nope\",\"handler\":\"Collect\"}");
        assertThat(noChannel.status()).isEqualTo(400);
        assertThat(noChannel.json().get("field").asText()).isEqualTo("channel");
        Response badKey = call(server, "POST", "/api/v1/subscriptions", acme, "{\"name\":\"ship\",\"channel\":"
                + "\"Orders\",\"handler\":\"Collect\",\"partitions\":2,\"partitionKey\":\"amount\"}");
        assertThat(badKey.status()).isEqualTo(400);
        assertThat(badKey.json().get("field").asText()).isEqualTo("partitionKey");
        Response badName = call(server, "POST", "/api/v1/subscriptions", acme, "{\"name\":\"a b\",\"channel\":"
                + "\"Orders\",\"handler\":\"Collect\"}");
        assertThat(badName.json().get("field").asText()).isEqualTo("name");
        assertThat(call(server, "GET", "/api/v1/subscriptions", acme, null).json().get("items")).hasSize(1);

        assertThat(call(server, "DELETE", "/api/v1/subscriptions/billing", acme, null).status()).isEqualTo(204);
        assertThat(call(server, "GET", "/api/v1/subscriptions/billing", acme, null).status()).isEqualTo(404);
        assertThat(call(server, "DELETE", "/api/v1/subscriptions/billing", acme, null).status()).isEqualTo(404);
        assertThat(call(server, "GET", "/api/v1/subscriptions", acme, null).json().get("items")).isEmpty();
    }
}
