package dev.millrace.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.millrace.testing.Db;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Schedules over the REST API, on a real server and store. */
class SchedulesApiTest extends ServerTest {

    @ParameterizedTest
    @EnumSource(Db.class)
    void scheduleIsCreatedListedReadWithNextFiresChangedPausedResumedAndDeleted(Db db) {
        MillraceServer server = server(db, false);
        String key = tenantWithKey(server, "acme");
        Response created = call(server, "POST", "/api/v1/schedules", key, "{\"name\":\"nightly\",\"cron\":\"0 0 2 * * ?\","
                + "\"type\":\"Tick\",\"state\":{\"label\":\"n\"},\"zone\":\"Europe/London\",\"options\":{\"misfirePolicy\":\"SKIP\"}}");
        assertThat(created.status()).isEqualTo(201);
        String id = created.json().get("id").asText();
        assertThat(created.json().get("state").asText()).isEqualTo("WAITING");
        assertThat(created.json().get("misfirePolicy").asText()).isEqualTo("SKIP");
        assertThat(created.json().get("className").asText()).isEqualTo(Tick.class.getName());

        assertThat(call(server, "GET", "/api/v1/schedules", key, null).json().get("items")).hasSize(1);
        JsonNode one = call(server, "GET", "/api/v1/schedules/" + id + "?next=3", key, null).json();
        assertThat(one.get("zone").asText()).isEqualTo("Europe/London");
        assertThat(one.get("nextFireTimes")).hasSize(3);
        assertThat(one.get("nextFireTimes").get(0).asText()).isEqualTo(one.get("nextFireTime").asText());

        JsonNode changed = call(server, "PATCH", "/api/v1/schedules/" + id, key, "{\"cron\":\"0 30 4 * * ?\"}").json();
        assertThat(changed.get("cron").asText()).isEqualTo("0 30 4 * * ?");
        assertThat(changed.get("nextFireTimes").get(0).asText()).contains(":30:00");

        JsonNode paused = call(server, "POST", "/api/v1/schedules/" + id + "/pause", key, null).json();
        assertThat(paused.get("state").asText()).isEqualTo("PAUSED");
        assertThat(paused.get("nextFireTime").isNull()).isTrue();
        JsonNode resumed = call(server, "POST", "/api/v1/schedules/" + id + "/resume", key, null).json();
        assertThat(resumed.get("state").asText()).isEqualTo("WAITING");

        assertThat(call(server, "DELETE", "/api/v1/schedules/" + id, key, null).status()).isEqualTo(204);
        assertThat(call(server, "GET", "/api/v1/schedules/" + id, key, null).status()).isEqualTo(404);
        assertThat(call(server, "DELETE", "/api/v1/schedules/" + id, key, null).status()).isEqualTo(404);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void runNowEnqueuesAScheduledJobThatRuns(Db db) {
        MillraceServer server = server(db, true);
        String key = tenantWithKey(server, "acme");
        String id = schedule(server, key, "hourly", "0 0 * * * ?");
        Response run = call(server, "POST", "/api/v1/schedules/" + id + "/run", key, null);
        assertThat(run.status()).isEqualTo(202);
        String job = run.json().get("jobId").asText();
        await().atMost(Duration.ofSeconds(30)).until(() ->
                call(server, "GET", "/api/v1/jobs/" + job, key, null).json().get("status").asText().equals("COMPLETED"));
        assertThat(call(server, "GET", "/api/v1/jobs/" + job + "/log", key, null).json().at("/items/0/message").asText())
                .isEqualTo("tick hourly");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void badCronIsRefusedNamingTheFieldAndTheParsersMessageAndStoresNothing(Db db) {
        MillraceServer server = server(db, false);
        String key = tenantWithKey(server, "acme");
        JsonNode p = call(server, "POST", "/api/v1/schedules", key,
                "{\"name\":\"bad\",\"cron\":\"0 0 25 * * ?\",\"type\":\"Tick\"}").json();
        assertThat(p.get("status").asInt()).isEqualTo(400);
        assertThat(p.get("field").asText()).isEqualTo("cron");
        assertThat(p.get("detail").asText()).containsIgnoringCase("hour");
        p = call(server, "POST", "/api/v1/schedules", key,
                "{\"name\":\"past\",\"cron\":\"0 0 2 * * ? 2001\",\"type\":\"Tick\"}").json();
        assertThat(p.get("field").asText()).isEqualTo("cron");
        p = call(server, "POST", "/api/v1/schedules", key, "{\"name\":\"z\",\"cron\":\"0 0 2 * * ?\",\"type\":\"Tick\","
                + "\"zone\":\"Mars/Olympus\"}").json();
        assertThat(p.get("field").asText()).isEqualTo("zone");
        p = call(server, "POST", "/api/v1/schedules", key, "{\"name\":\"t\",\"cron\":\"0 0 2 * * ?\",\"type\":\"Nope\"}").json();
        assertThat(p.get("field").asText()).isEqualTo("type");
        assertThat(p.get("detail").asText()).contains("Tick");
        p = call(server, "POST", "/api/v1/schedules", key, "{\"name\":\"s\",\"cron\":\"0 0 2 * * ?\",\"type\":\"Tick\","
                + "\"state\":{\"label\":3}}").json();
        assertThat(p.get("field").asText()).isEqualTo("state.label");
        assertThat(call(server, "GET", "/api/v1/schedules", key, null).json().get("items")).isEmpty();

        String id = schedule(server, key, "kept", "0 0 2 * * ?");
        p = call(server, "PATCH", "/api/v1/schedules/" + id, key, "{\"cron\":\"0 0 2 ? * MON#6\"}").json();
        assertThat(p.get("status").asInt()).isEqualTo(400);
        assertThat(p.get("field").asText()).isEqualTo("cron");
        assertThat(call(server, "GET", "/api/v1/schedules/" + id, key, null).json().get("cron").asText())
                .isEqualTo("0 0 2 * * ?");
        Response dup = call(server, "POST", "/api/v1/schedules", key, "{\"name\":\"kept\",\"cron\":\"0 0 3 * * ?\",\"type\":\"Tick\"}");
        assertThat(dup.status()).isEqualTo(409);
    }

    @ParameterizedTest
    @EnumSource(value = Db.class, names = "H2")
    void cronNextValidatesAnExpressionForEditors(Db db) {
        MillraceServer server = server(db, false);
        String key = tenantWithKey(server, "acme");
        JsonNode ok = call(server, "GET", "/api/v1/cron/next?expression=0%200%2022%20%3F%20*%206L&zone=UTC&n=3", key, null).json();
        assertThat(ok.get("fireTimes")).hasSize(3);
        assertThat(ok.get("fireTimes").get(0).asText()).endsWith("T22:00:00Z");
        assertThat(ok.get("salesforceCompatible").asBoolean()).isTrue();
        JsonNode bad = call(server, "GET", "/api/v1/cron/next?expression=0%200%2012%20%3F%20*%20MON%236", key, null).json();
        assertThat(bad.get("status").asInt()).isEqualTo(400);
        assertThat(bad.get("field").asText()).isEqualTo("expression");
        assertThat(bad.get("detail").asText()).contains("day-of-week");
        assertThat(call(server, "GET", "/api/v1/cron/next", key, null).json().get("rule").asText()).isEqualTo("required");
        assertThat(call(server, "GET", "/api/v1/cron/next?expression=0%200%202%20*%20*%20%3F&n=0", key, null).json()
                .get("field").asText()).isEqualTo("n");
    }
}
