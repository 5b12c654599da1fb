package dev.millrace.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.millrace.testing.Db;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Feature flags and governor limits over the REST API. */
class FlagsAndLimitsApiTest extends ServerTest {

    @ParameterizedTest
    @EnumSource(Db.class)
    void flagIsSwitchedAndListedForTheCallersTenantOnly(Db db) {
        MillraceServer server = server(db, false);
        String acme = tenantWithKey(server, "acme");
        String globex = tenantWithKey(server, "globex");
        Response on = call(server, "PUT", "/api/v1/flags/newBilling", acme, "{\"enabled\":true}");
        assertThat(on.status()).isEqualTo(200);
        assertThat(on.json().get("enabled").asBoolean()).isTrue();
        assertThat(on.json().get("jobsMoved").asInt()).isZero();
        JsonNode items = call(server, "GET", "/api/v1/flags", acme, null).json().get("items");
        assertThat(items).hasSize(1);
        assertThat(items.get(0).get("name").asText()).isEqualTo("newBilling");
        assertThat(call(server, "GET", "/api/v1/flags", globex, null).json().get("items")).isEmpty();
        call(server, "PUT", "/api/v1/flags/newBilling", acme, "{\"enabled\":false}");
        assertThat(call(server, "GET", "/api/v1/flags", acme, null).json().at("/items/0/enabled").asBoolean()).isFalse();

        JsonNode p = call(server, "PUT", "/api/v1/flags/new%20billing", acme, "{\"enabled\":true}").json();
        assertThat(p.get("field").asText()).isEqualTo("name");
        p = call(server, "PUT", "/api/v1/flags/x", acme, "{\"enabled\":\"yes\"}").json();
        assertThat(p.get("field").asText()).isEqualTo("enabled");
        assertThat(p.get("rule").asText()).isEqualTo("type");
        assertThat(call(server, "GET", "/api/v1/flags", acme, null).json().get("items")).hasSize(1);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void flagHistoryShowsWhoChangedItNewestFirstForTheCallersTenantOnly(Db db) {
        MillraceServer server = server(db, false);
        String acme = tenantWithKey(server, "acme");
        String globex = tenantWithKey(server, "globex");
        call(server, "PUT", "/api/v1/flags/newBilling", acme, "{\"enabled\":true}");
        call(server, "PUT", "/api/v1/flags/newBilling", acme, "{\"enabled\":true}");
        call(server, "PUT", "/api/v1/flags/newBilling", ADMIN, "{\"enabled\":false}", "Millrace-Tenant", "acme");
        Response res = call(server, "GET", "/api/v1/flags/newBilling/history", acme, null);
        assertThat(res.status()).isEqualTo(200);
        JsonNode items = res.json().get("items");
        assertThat(items).as("setting the same value again is not a change").hasSize(2);
        assertThat(items.at("/0/changedBy").asText()).isEqualTo("admin");
        assertThat(items.at("/0/oldValue").asBoolean()).isTrue();
        assertThat(items.at("/0/newValue").asBoolean()).isFalse();
        String acmeKeyId = call(server, "GET", "/api/v1/tenants/acme/keys", ADMIN, null).json().at("/items/0/id")
                .asText();
        assertThat(items.at("/1/changedBy").asText()).as("the caller's key id").isEqualTo(acmeKeyId).isNotBlank();
        assertThat(items.at("/1/oldValue").isNull()).as("the flag was new").isTrue();
        assertThat(java.time.Instant.parse(items.at("/1/changedAt").asText())).isNotNull();

        assertThat(call(server, "GET", "/api/v1/flags/newBilling/history", globex, null).json().get("items"))
                .as("another tenant's flag of that name has no changes").isEmpty();
        JsonNode p = call(server, "GET", "/api/v1/flags/new%20billing/history", acme, null).json();
        assertThat(p.get("field").asText()).isEqualTo("name");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void limitsShowTheTenantsProfilesFromItsPolicy(Db db) {
        MillraceServer server = server(db, false);
        String key = tenantWithKey(server, "acme");
        JsonNode limits = call(server, "GET", "/api/v1/limits", key, null).json();
        assertThat(limits.at("/sync/QUERIES/budget").asLong()).isEqualTo(100);
        assertThat(limits.at("/async/QUERIES/budget").asLong()).isEqualTo(200);
        assertThat(limits.at("/async/CPU_TIME/unit").asText()).isEqualTo("ms");
        assertThat(limits.at("/allowances/maxSchedules").asInt()).isEqualTo(100);
        assertThat(call(server, "GET", "/api/v1/limits?x=1", key, null).json().get("field").asText()).isEqualTo("x");
    }
}
