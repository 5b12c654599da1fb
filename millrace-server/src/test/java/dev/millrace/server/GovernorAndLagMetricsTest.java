package dev.millrace.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.millrace.TenantId;
import dev.millrace.event.ReplayFrom;
import dev.millrace.event.Subscription;
import dev.millrace.testing.Db;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The resource governor in the overview's node status and in metrics; subscription lag as a metric. */
class GovernorAndLagMetricsTest extends ServerTest {

    @ParameterizedTest
    @EnumSource(Db.class)
    void overviewAndMetricsShowTheGovernorAndSubscriptionLag(Db db) {
        MillraceServer server = server(db, false);
        String key = tenantWithKey(server, "acme");
        JsonNode node = call(server, "GET", "/api/v1/overview", ADMIN, null).json().at("/nodes/0");
        assertThat(node.get("governor").asText()).isEqualTo("NORMAL");
        assertThat(node.has("allowedExecutions")).isTrue();
        assertThat(node.get("fairUsage").isArray()).isTrue();

        call(server, "POST", "/api/v1/channels", key, "{\"name\":\"OrderPlaced\"}");
        server.millrace().events().subscribe(TenantId.of("acme"), Subscription.of("billing", "OrderPlaced", Collect.class)
                .startingFrom(ReplayFrom.earliest()));
        call(server, "POST", "/api/v1/channels/OrderPlaced/events", key, "{\"events\":[{},{}]}");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(call(server, "GET", "/metrics", ADMIN, null)
                .body()).contains("millrace_governor_state{state=\"NORMAL\"} 1.0")
                .contains("millrace_governor_state{state=\"SUSPENDED\"} 0.0")
                .contains("millrace_governor_allowed_executions")
                .contains("millrace_subscription_lag{subscription=\"billing\",tenant=\"acme\"} 2.0"));
    }
}
