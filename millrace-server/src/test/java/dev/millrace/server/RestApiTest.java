package dev.millrace.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.millrace.testing.Db;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class RestApiTest extends ServerTest {

    @ParameterizedTest
    @EnumSource(Db.class)
    void enqueuedJobRunsAndIsReadableWithItsLog(Db db) {
        MillraceServer server = server(db, true);
        String key = tenantWithKey(server, "acme");
        String id = enqueue(server, key, "{\"type\":\"Note\",\"state\":{\"text\":\"hello\",\"times\":2}}");

        await().atMost(Duration.ofSeconds(30)).until(() ->
                call(server, "GET", "/api/v1/jobs/" + id, key, null).json().get("status").asText().equals("COMPLETED"));
        JsonNode job = call(server, "GET", "/api/v1/jobs/" + id, key, null).json();
        assertThat(job.get("tenant").asText()).isEqualTo("acme");
        assertThat(job.get("className").asText()).isEqualTo(Note.class.getName());
        assertThat(job.get("createdAt").asText()).endsWith("Z");
        JsonNode log = call(server, "GET", "/api/v1/jobs/" + id + "/log", key, null).json().get("items");
        assertThat(log).hasSize(2);
        assertThat(log.get(0).get("message").asText()).isEqualTo("note hello");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void listPagesThroughEveryJobNewestFirstWithFilters(Db db) {
        MillraceServer server = server(db, false);
        String key = tenantWithKey(server, "acme");
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 7; i++) ids.add(enqueue(server, key, "{\"type\":\"Note\",\"state\":{\"text\":\"n" + i + "\"}}"));

        Set<String> seen = new HashSet<>();
        String after = null;
        int pages = 0;
        do {
            JsonNode page = call(server, "GET", "/api/v1/jobs?status=QUEUED&limit=3" + (after == null ? "" : "&after=" + after),
                    key, null).json();
            page.get("items").forEach(j -> seen.add(j.get("id").asText()));
            after = page.get("next").isNull() ? null : page.get("next").asText();
            pages++;
        } while (after != null);
        assertThat(seen).isEqualTo(ids);
        assertThat(pages).isEqualTo(3);
        assertThat(call(server, "GET", "/api/v1/jobs?status=COMPLETED", key, null).json().get("items")).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void abortStopsAQueuedJobAndRefusesAnEndedOne(Db db) {
        MillraceServer server = server(db, false);
        String key = tenantWithKey(server, "acme");
        String id = enqueue(server, key, "{\"type\":\"Note\",\"state\":{},\"options\":{\"delaySeconds\":60}}");

        Response aborted = call(server, "POST", "/api/v1/jobs/" + id + "/abort", key, null);
        assertThat(aborted.status()).isEqualTo(202);
        assertThat(aborted.json().get("status").asText()).isEqualTo("ABORTED");
        Response again = call(server, "POST", "/api/v1/jobs/" + id + "/abort", key, null);
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.contentType()).startsWith("application/problem+json");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void duplicateSignatureIsRefusedWhileTheFirstIsActive(Db db) {
        MillraceServer server = server(db, false);
        String key = tenantWithKey(server, "acme");
        String body = "{\"type\":\"Note\",\"options\":{\"duplicateSignature\":[\"invoice\",42]}}";
        enqueue(server, key, body);
        Response dup = call(server, "POST", "/api/v1/jobs", key, body);
        assertThat(dup.status()).isEqualTo(409);
        assertThat(dup.json().get("rule").asText()).isEqualTo("duplicate-signature");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void badRequestsNameTheFieldAndTheRule(Db db) {
        MillraceServer server = server(db, false);
        String key = tenantWithKey(server, "acme");
        JsonNode p = call(server, "POST", "/api/v1/jobs", key, "{\"type\":\"Note\",\"state\":{\"times\":\"two\"}}").json();
        assertThat(p.get("status").asInt()).isEqualTo(400);
        assertThat(p.get("field").asText()).isEqualTo("state.times");
        p = call(server, "POST", "/api/v1/jobs", key, "{\"type\":\"Note\",\"state\":{\"text\":7}}").json();
        assertThat(p.get("field").asText()).isEqualTo("state.text");
        p = call(server, "POST", "/api/v1/jobs", key, "{\"type\":\"Note\",\"state\":{\"times\":1.5}}").json();
        assertThat(p.get("field").asText()).isEqualTo("state.times");
        p = call(server, "POST", "/api/v1/jobs", key, "{\"type\":\"Note\",\"colour\":1}").json();
        assertThat(p.get("field").asText()).isEqualTo("colour");
        assertThat(p.get("rule").asText()).isEqualTo("unknown-field");
        p = call(server, "POST", "/api/v1/jobs", key, "{\"type\":\"Nope\"}").json();
        assertThat(p.get("field").asText()).isEqualTo("type");
        assertThat(p.get("detail").asText()).contains("Note");
        p = call(server, "POST", "/api/v1/jobs", key, "{\"type\":\"Note\",\"options\":{\"delaySeconds\":900}}").json();
        assertThat(p.get("status").asInt()).isEqualTo(400);
        assertThat(p.get("detail").asText()).contains("delay");
        assertThat(p.get("field").asText()).isEqualTo("options.delaySeconds");
        p = call(server, "POST", "/api/v1/jobs", key, "{\"type\":").json();
        assertThat(p.get("rule").asText()).isEqualTo("json");
        p = call(server, "POST", "/api/v1/jobs", key, "{\"type\":\"Note\",\"state\":{\"text\":\"" + "x".repeat(70_000) + "\"}}").json();
        assertThat(p.get("status").asInt()).isEqualTo(413);
        p = call(server, "GET", "/api/v1/jobs?limit=0", key, null).json();
        assertThat(p.get("field").asText()).isEqualTo("limit");
        p = call(server, "PATCH", "/api/v1/tenants/acme", ADMIN, "{\"policy\":{\"maxDelayMinutes\":-1}}").json();
        assertThat(p.get("field").asText()).isEqualTo("policy.maxDelayMinutes");
        assertThat(p.get("rule").asText()).isEqualTo("range");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void tenantsAreManagedWithTheAdminKeyOnly(Db db) {
        MillraceServer server = server(db, false);
        String key = tenantWithKey(server, "acme");
        assertThat(call(server, "GET", "/api/v1/tenants", key, null).status()).isEqualTo(403);
        assertThat(call(server, "GET", "/api/v1/tenants", null, null).status()).isEqualTo(401);
        assertThat(call(server, "GET", "/api/v1/tenants", "mr_0000000000000000_" + "A".repeat(43), null).status())
                .isEqualTo(401);
        assertThat(call(server, "POST", "/api/v1/tenants", ADMIN, "{\"id\":\"acme\"}").status()).isEqualTo(409);
        Response patched = call(server, "PATCH", "/api/v1/tenants/acme", ADMIN, "{\"policy\":{\"jobRetentionDays\":30}}");
        assertThat(patched.json().at("/policy/jobRetentionDays").asInt()).isEqualTo(30);
        assertThat(patched.json().at("/policy/maxDelayMinutes").asInt()).isEqualTo(10);
        assertThat(call(server, "GET", "/api/v1/tenants/acme", ADMIN, null).json().at("/policy/jobRetentionDays").asInt())
                .isEqualTo(30);
        assertThat(call(server, "GET", "/api/v1/tenants", ADMIN, null).json().get("items")).hasSize(1);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void tenantPatchChangesLimitsAndFairUsageKeyByKey(Db db) {
        MillraceServer server = server(db, false);
        tenantWithKey(server, "acme");
        Response patched = call(server, "PATCH", "/api/v1/tenants/acme", ADMIN,
                "{\"policy\":{\"asyncLimits\":{\"queries\":20},\"fairUsage\":{\"weight\":3,"
                        + "\"maxRunning\":{\"BATCH\":2}}}}");
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
        assertThat(patched.json().at("/policy/asyncLimits/queries").asLong()).isEqualTo(20);
        assertThat(patched.json().at("/policy/asyncLimits/cpuTimeMillis").asLong()).as("other keys kept").isEqualTo(60_000);
        assertThat(patched.json().at("/policy/fairUsage/weight").asInt()).isEqualTo(3);
        assertThat(patched.json().at("/policy/fairUsage/maxRunning/BATCH").asInt()).isEqualTo(2);
        assertThat(patched.json().at("/policy/fairUsage/tierPercents/1").asInt()).isEqualTo(50);
        assertThat(call(server, "GET", "/api/v1/tenants/acme", ADMIN, null).json().at("/policy/fairUsage/weight").asInt())
                .isEqualTo(3);
        Response bad = call(server, "PATCH", "/api/v1/tenants/acme", ADMIN, "{\"policy\":{\"fairUsage\":{\"weight\":0}}}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("detail").asText()).contains("weight");
        Response unknown = call(server, "PATCH", "/api/v1/tenants/acme", ADMIN, "{\"policy\":{\"syncLimits\":{\"nope\":1}}}");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().get("field").asText()).isEqualTo("policy.syncLimits.nope");
        assertThat(call(server, "GET", "/api/v1/tenants/acme", ADMIN, null).json().at("/policy/fairUsage/weight").asInt())
                .as("a refused patch changes nothing").isEqualTo(3);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void revokedKeyStopsAuthenticatingAtOnce(Db db) {
        MillraceServer server = server(db, false);
        String key = tenantWithKey(server, "acme");
        assertThat(call(server, "GET", "/api/v1/jobs", key, null).status()).isEqualTo(200);
        JsonNode keys = call(server, "GET", "/api/v1/tenants/acme/keys", ADMIN, null).json().get("items");
        assertThat(keys).hasSize(1);
        assertThat(keys.get(0).has("key")).isFalse();
        String keyId = keys.get(0).get("id").asText();
        assertThat(call(server, "DELETE", "/api/v1/tenants/acme/keys/" + keyId, ADMIN, null).status()).isEqualTo(204);
        assertThat(call(server, "GET", "/api/v1/jobs", key, null).status()).isEqualTo(401);
        assertThat(call(server, "DELETE", "/api/v1/tenants/acme/keys/" + keyId, ADMIN, null).status()).isEqualTo(404);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void adminActsForATenantNamedInTheHeader(Db db) {
        MillraceServer server = server(db, false);
        tenantWithKey(server, "acme");
        Response noHeader = call(server, "GET", "/api/v1/jobs", ADMIN, null);
        assertThat(noHeader.status()).isEqualTo(400);
        assertThat(noHeader.json().get("field").asText()).isEqualTo("Millrace-Tenant");
        Response r = call(server, "POST", "/api/v1/jobs", ADMIN, "{\"type\":\"Note\"}", "Millrace-Tenant", "acme");
        assertThat(r.status()).isEqualTo(201);
        assertThat(call(server, "GET", "/api/v1/jobs", ADMIN, null, "Millrace-Tenant", "acme").json().get("items"))
                .hasSize(1);
        assertThat(call(server, "GET", "/api/v1/jobs", ADMIN, null, "Millrace-Tenant", "ghost").status()).isEqualTo(404);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void statsAndOverviewCountJobsAndThroughput(Db db) {
        MillraceServer server = server(db, true);
        String key = tenantWithKey(server, "acme");
        for (int i = 0; i < 3; i++) enqueue(server, key, "{\"type\":\"Note\"}");
        await().atMost(Duration.ofSeconds(30)).until(() ->
                call(server, "GET", "/api/v1/stats", key, null).json().at("/counts/COMPLETED").asLong() == 3);
        JsonNode stats = call(server, "GET", "/api/v1/stats", key, null).json();
        assertThat(stats.get("throughput")).hasSize(60);
        long completed = 0;
        for (JsonNode m : stats.get("throughput")) completed += m.get("completed").asLong();
        assertThat(completed).isEqualTo(3);
        JsonNode overview = call(server, "GET", "/api/v1/overview", ADMIN, null).json();
        assertThat(overview.at("/tenants/0/id").asText()).isEqualTo("acme");
        assertThat(overview.at("/tenants/0/counts/COMPLETED").asLong()).isEqualTo(3);
        assertThat(overview.at("/nodes/0/status").asText()).isEqualTo("UP");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void healthAndMetricsReportTheStoreAndTheJobs(Db db) {
        MillraceServer server = server(db, true);
        String key = tenantWithKey(server, "acme");
        enqueue(server, key, "{\"type\":\"Note\"}");
        assertThat(call(server, "GET", "/health/live", null, null).status()).isEqualTo(200);
        assertThat(call(server, "GET", "/health/ready", null, null).json().get("status").asText()).isEqualTo("UP");
        assertThat(call(server, "GET", "/metrics", null, null).status()).isEqualTo(401);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(call(server, "GET", "/metrics", ADMIN, null)
                .body()).contains("millrace_jobs{status=\"COMPLETED\",tenant=\"acme\",type=\"QUEUEABLE\"} 1.0")
                .contains("millrace_job_run_seconds_bucket").contains("millrace_jobs_ended_total")
                .contains("millrace_queue_depth{tenant=\"acme\"}")
                .contains("millrace_lease_rescues_total{outcome=\"requeued\"} 0.0"));
    }
}
