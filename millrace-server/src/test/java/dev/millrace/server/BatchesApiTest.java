package dev.millrace.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.millrace.JobId;
import dev.millrace.JobQuery;
import dev.millrace.TenantId;
import dev.millrace.schedule.ScheduleRecord;
import dev.millrace.testing.Db;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Batches submitted and scheduled, their progress, chunks and errors, and the flex queue over the REST API. */
class BatchesApiTest extends ServerTest {

    @ParameterizedTest
    @EnumSource(Db.class)
    void batchShowsProgressChunksAndTheErrorsOfAFailedChunk(Db db) {
        MillraceServer server = server(db, true);
        String key = tenantWithKey(server, "acme");
        String id = server.millrace().executeBatch(TenantId.of("acme"), new Count(10, 7), 3).value();

        await().atMost(Duration.ofSeconds(60)).until(() ->
                call(server, "GET", "/api/v1/batches/" + id, key, null).json().at("/job/status").asText().equals("COMPLETED"));
        JsonNode batch = call(server, "GET", "/api/v1/batches/" + id, key, null).json();
        assertThat(batch.at("/progress/chunks").asInt()).isEqualTo(4);
        assertThat(batch.at("/progress/numberOfErrors").asInt()).isEqualTo(1);
        assertThat(batch.at("/progress/percent").asDouble()).isEqualTo(100.0);
        assertThat(batch.at("/progress/chunksByStatus/FAILED").asInt()).isEqualTo(1);
        JsonNode chunks = call(server, "GET", "/api/v1/batches/" + id + "/chunks", key, null).json().get("items");
        assertThat(chunks).hasSize(4).allMatch(c -> c.get("type").asText().equals("BATCH_CHUNK"));
        JsonNode errors = call(server, "GET", "/api/v1/batches/" + id + "/errors", key, null).json().get("items");
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).get("phase").asText()).isEqualTo("EXECUTE");
        assertThat(errors.get(0).get("message").asText()).contains("unlucky");
        assertThat(errors.get(0).get("failedRecordIds").toString()).contains("\"7\"");

        // A job that is not a batch is not found here.
        String note = enqueue(server, key, "{\"type\":\"Note\"}");
        assertThat(call(server, "GET", "/api/v1/batches/" + note, key, null).status()).isEqualTo(404);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void flexQueueListsHoldingBatchesInOrderAndMovesOne(Db db) {
        MillraceServer server = server(db, false);
        String key = tenantWithKey(server, "acme");
        call(server, "PATCH", "/api/v1/tenants/acme", ADMIN, "{\"policy\":{\"maxActiveBatches\":1}}");
        TenantId acme = TenantId.of("acme");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) ids.add(server.millrace().executeBatch(acme, new Count(3, -1), 1).value());

        JsonNode queue = call(server, "GET", "/api/v1/flex-queue", key, null).json().get("items");
        assertThat(queue).hasSize(3);
        assertThat(queue.get(0).at("/job/id").asText()).isEqualTo(ids.get(1));
        assertThat(queue.get(0).at("/job/status").asText()).isEqualTo("HOLDING");

        JsonNode moved = call(server, "POST", "/api/v1/flex-queue/" + ids.get(3) + "/move", key, "{\"position\":0}")
                .json().get("items");
        assertThat(moved.get(0).at("/job/id").asText()).isEqualTo(ids.get(3));
        assertThat(server.millrace().batches().flexQueue(acme)).containsExactly(JobId.of(ids.get(3)), JobId.of(ids.get(1)),
                JobId.of(ids.get(2)));

        Response active = call(server, "POST", "/api/v1/flex-queue/" + ids.get(0) + "/move", key, "{\"position\":0}");
        assertThat(active.status()).isEqualTo(409);
        assertThat(active.json().get("rule").asText()).isEqualTo("not-in-flex-queue");
        assertThat(call(server, "POST", "/api/v1/flex-queue/" + ids.get(1) + "/move", key, "{\"position\":-1}").json()
                .get("field").asText()).isEqualTo("position");
        assertThat(server.millrace().batches().flexQueue(acme)).hasSize(3);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void batchOfARegisteredTypeIsSubmittedWithItsStateAndScopeAndRuns(Db db) {
        MillraceServer server = server(db, true);
        String key = tenantWithKey(server, "acme");
        JsonNode types = call(server, "GET", "/api/v1/batch-types", key, null).json().get("items");
        assertThat(types).singleElement().satisfies(t -> {
            assertThat(t.get("name").asText()).isEqualTo("Count");
            assertThat(t.get("className").asText()).isEqualTo(Count.class.getName());
        });

        Response submitted = call(server, "POST", "/api/v1/batches", key,
                "{\"type\":\"Count\",\"state\":{\"items\":5,\"failAt\":-1},\"scope\":2}");
        assertThat(submitted.status()).as(submitted.body()).isEqualTo(201);
        String id = submitted.json().get("id").asText();
        // A slot was free; the running node may have taken it up already.
        assertThat(submitted.json().get("status").asText()).isIn("QUEUED", "PREPARING", "PROCESSING", "COMPLETED");

        await().atMost(Duration.ofSeconds(60)).until(() -> call(server, "GET", "/api/v1/batches/" + id, key, null)
                .json().at("/job/status").asText().equals("COMPLETED"));
        JsonNode batch = call(server, "GET", "/api/v1/batches/" + id, key, null).json();
        assertThat(batch.at("/progress/chunks").asInt()).isEqualTo(3);
        assertThat(batch.at("/job/className").asText()).isEqualTo(Count.class.getName());
        // The tenant's batches are its BATCH jobs: no route of their own.
        JsonNode listed = call(server, "GET", "/api/v1/jobs?type=BATCH", key, null).json().get("items");
        assertThat(listed).extracting(j -> j.get("id").asText()).containsExactly(id);
        // Without a scope, the default; the full class name works too.
        Response byClass = call(server, "POST", "/api/v1/batches", key, "{\"type\":\"" + Count.class.getName() + "\"}");
        assertThat(byClass.status()).as(byClass.body()).isEqualTo(201);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void submittingRefusesAnUnknownTypeAStateThatDoesNotFitAScopeOutOfRangeAndAFullFlexQueue(Db db) {
        MillraceServer server = server(db, false);
        String key = tenantWithKey(server, "acme");
        Response unknown = call(server, "POST", "/api/v1/batches", key, "{\"type\":\"Note\"}");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().get("field").asText()).isEqualTo("type");
        assertThat(unknown.json().get("detail").asText()).contains("'Note' is not registered", "expected one of Count");
        Response state = call(server, "POST", "/api/v1/batches", key,
                "{\"type\":\"Count\",\"state\":{\"items\":\"x\"}}");
        assertThat(state.status()).isEqualTo(400);
        assertThat(state.json().get("field").asText()).isEqualTo("state.items");
        for (String scope : List.of("0", "2001", "-3")) {
            Response r = call(server, "POST", "/api/v1/batches", key, "{\"type\":\"Count\",\"scope\":" + scope + "}");
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.json().get("field").asText()).isEqualTo("scope");
            assertThat(r.json().get("rule").asText()).isEqualTo("range");
            assertThat(r.json().get("detail").asText()).contains("is " + scope, "expected 1 to 2000");
        }
        Response unknownTenant = call(server, "POST", "/api/v1/batches", ADMIN, "{\"type\":\"Count\"}",
                "Millrace-Tenant", "ghost");
        assertThat(unknownTenant.status()).isEqualTo(404);
        assertThat(server.millrace().jobs().find(JobQuery.forTenant(ACME).build()).jobs()).isEmpty();

        call(server, "PATCH", "/api/v1/tenants/acme", ADMIN,
                "{\"policy\":{\"maxActiveBatches\":1,\"flexQueueCapacity\":1}}");
        assertThat(submit(server, key).get("status").asText()).isEqualTo("QUEUED");
        assertThat(submit(server, key).get("status").asText()).isEqualTo("HOLDING");
        Response full = call(server, "POST", "/api/v1/batches", key, "{\"type\":\"Count\"}");
        assertThat(full.status()).isEqualTo(409);
        assertThat(full.json().get("rule").asText()).isEqualTo("limit");
        assertThat(full.json().get("detail").asText()).contains("flex queue");
        assertThat(server.millrace().jobs().find(JobQuery.forTenant(ACME).build()).jobs()).hasSize(2);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void batchIsScheduledMinutesAheadAsAOneShotScheduleThatSubmitsItWhenItRuns(Db db) {
        MillraceServer server = server(db, true);
        String key = tenantWithKey(server, "acme");
        Instant before = Instant.now();
        Response created = call(server, "POST", "/api/v1/batches/schedule", key, "{\"name\":\"count-later\","
                + "\"type\":\"Count\",\"state\":{\"items\":4,\"failAt\":-1},\"minutes\":90,\"scope\":2}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        JsonNode s = created.json();
        String id = s.get("id").asText();
        assertThat(created.contentType()).contains("json");
        assertThat(s.get("name").asText()).isEqualTo("count-later");
        assertThat(s.get("state").asText()).isEqualTo("WAITING");
        Instant next = Instant.parse(s.get("nextFireTime").asText());
        assertThat(next).isBetween(before.plus(Duration.ofMinutes(90)).minusSeconds(1),
                Instant.now().plus(Duration.ofMinutes(90)).plusSeconds(1));
        assertThat(call(server, "GET", "/api/v1/schedules", key, null).json().get("items"))
                .extracting(x -> x.get("id").asText()).containsExactly(id);

        // Run now rather than wait: the schedule's job submits the batch, which runs to its end.
        call(server, "POST", "/api/v1/schedules/" + id + "/run", key, null);
        await().atMost(Duration.ofSeconds(60)).until(() -> call(server, "GET",
                "/api/v1/jobs?type=BATCH&status=COMPLETED", key, null).json().get("items").size() == 1);
        JsonNode batch = call(server, "GET", "/api/v1/jobs?type=BATCH", key, null).json().at("/items/0");
        assertThat(call(server, "GET", "/api/v1/batches/" + batch.get("id").asText(), key, null).json()
                .at("/progress/chunks").asInt()).isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void schedulingABatchRefusesBadMinutesNameScopeAndATakenName(Db db) {
        MillraceServer server = server(db, false);
        String key = tenantWithKey(server, "acme");
        String ok = "{\"name\":\"n\",\"type\":\"Count\",\"minutes\":5}";
        assertThat(call(server, "POST", "/api/v1/batches/schedule", key, ok).status()).isEqualTo(201);
        Response taken = call(server, "POST", "/api/v1/batches/schedule", key, ok);
        assertThat(taken.status()).isEqualTo(409);
        assertThat(taken.json().get("detail").asText()).contains("'n'");

        assertRefused(server, key, "{\"name\":\"m\",\"type\":\"Count\"}", "minutes", "is missing");
        assertRefused(server, key, "{\"name\":\"m\",\"type\":\"Count\",\"minutes\":0}", "minutes", "expected 1 to");
        assertRefused(server, key, "{\"name\":\"m\",\"type\":\"Count\",\"minutes\":99999999}", "minutes",
                "no later than 2099-12-31T23:59:00Z");
        assertRefused(server, key, "{\"name\":\"m\",\"type\":\"Count\",\"minutes\":1.5}", "minutes", "whole number");
        assertRefused(server, key, "{\"name\":\" \",\"type\":\"Count\",\"minutes\":5}", "name", "blank");
        assertRefused(server, key, "{\"type\":\"Count\",\"minutes\":5}", "name", "missing");
        assertRefused(server, key, "{\"name\":\"m\",\"type\":\"Count\",\"minutes\":5,\"scope\":5000}", "scope",
                "expected 1 to 2000");
        assertRefused(server, key, "{\"name\":\"m\",\"type\":\"Tick\",\"minutes\":5}", "type", "expected one of Count");
        assertThat(server.millrace().schedules().list(ACME)).extracting(ScheduleRecord::name).containsExactly("n");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void flexQueueMovesByPositionBeforeAfterFrontAndEnd(Db db) {
        MillraceServer server = server(db, false);
        String key = tenantWithKey(server, "acme");
        call(server, "PATCH", "/api/v1/tenants/acme", ADMIN, "{\"policy\":{\"maxActiveBatches\":1}}");
        String active = submit(server, key).get("id").asText();
        List<JobId> h = new ArrayList<>();
        for (int i = 0; i < 4; i++) h.add(JobId.of(submit(server, key).get("id").asText()));

        assertThat(move(server, key, h.get(3), "{\"front\":true}"))
                .containsExactly(h.get(3), h.get(0), h.get(1), h.get(2));
        assertThat(move(server, key, h.get(3), "{\"end\":true}"))
                .containsExactly(h.get(0), h.get(1), h.get(2), h.get(3));
        assertThat(move(server, key, h.get(0), "{\"after\":\"" + h.get(2) + "\"}"))
                .containsExactly(h.get(1), h.get(2), h.get(0), h.get(3));
        assertThat(move(server, key, h.get(3), "{\"before\":\"" + h.get(1) + "\"}"))
                .containsExactly(h.get(3), h.get(1), h.get(2), h.get(0));
        assertThat(move(server, key, h.get(0), "{\"position\":1}"))
                .containsExactly(h.get(3), h.get(0), h.get(1), h.get(2));
        Response again = call(server, "POST", "/api/v1/flex-queue/" + h.get(0) + "/move", key, "{\"position\":1}");
        assertThat(again.json().get("moved").asBoolean()).isFalse();
        assertThat(call(server, "POST", "/api/v1/flex-queue/" + h.get(2) + "/move", key, "{\"before\":\"" + h.get(3)
                + "\"}").json().get("moved").asBoolean()).isTrue();
        List<JobId> order = server.millrace().batches().flexQueue(ACME);
        assertThat(order).containsExactly(h.get(2), h.get(3), h.get(0), h.get(1));

        // Exactly one way to move, each well formed.
        String path = "/api/v1/flex-queue/" + h.get(1) + "/move";
        assertInvalid(call(server, "POST", path, key, "{\"front\":true,\"position\":0}"), "front", "exactly one of");
        assertInvalid(call(server, "POST", path, key, "{}"), "body", "no move is given");
        assertInvalid(call(server, "POST", path, key, "{\"end\":false}"), "end", "expected true");
        assertInvalid(call(server, "POST", path, key, "{\"front\":1}"), "front", "expected true");
        assertInvalid(call(server, "POST", path, key, "{\"before\":\"nope\"}"), "before", "not a batch id");
        assertInvalid(call(server, "POST", path, key, "{\"after\":\"" + h.get(1) + "\"}"), "after", "being moved");
        assertInvalid(call(server, "POST", path, key, "{\"position\":-1}"), "position", "expected 0 to");
        // The other batch must exist in the tenant as a batch, and hold in its flex queue.
        String note = enqueue(server, key, "{\"type\":\"Note\"}");
        Response notBatch = call(server, "POST", path, key, "{\"before\":\"" + note + "\"}");
        assertThat(notBatch.status()).isEqualTo(404);
        assertThat(notBatch.json().get("detail").asText()).contains("field 'before'");
        Response running = call(server, "POST", path, key, "{\"after\":\"" + active + "\"}");
        assertThat(running.status()).isEqualTo(409);
        assertThat(running.json().get("rule").asText()).isEqualTo("not-in-flex-queue");
        assertThat(running.json().get("detail").asText()).contains(active, "field 'after'", "QUEUED");
        assertThat(call(server, "POST", "/api/v1/flex-queue/" + active + "/move", key, "{\"end\":true}").status())
                .isEqualTo(409);
        assertThat(server.millrace().batches().flexQueue(ACME)).isEqualTo(order);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void anotherTenantsHoldingBatchCannotBeNamedInAMove(Db db) {
        MillraceServer server = server(db, false);
        String acme = tenantWithKey(server, "acme");
        String globex = tenantWithKey(server, "globex");
        for (String t : List.of("acme", "globex")) {
            call(server, "PATCH", "/api/v1/tenants/" + t, ADMIN, "{\"policy\":{\"maxActiveBatches\":1}}");
        }
        submit(server, acme);
        String a1 = submit(server, acme).get("id").asText();
        String a2 = submit(server, acme).get("id").asText();
        submit(server, globex);
        String g1 = submit(server, globex).get("id").asText();
        String g2 = submit(server, globex).get("id").asText();
        List<JobId> acmeQueue = server.millrace().batches().flexQueue(ACME);
        List<JobId> globexQueue = server.millrace().batches().flexQueue(TenantId.of("globex"));

        for (String body : List.of("{\"before\":\"" + g1 + "\"}", "{\"after\":\"" + g2 + "\"}")) {
            Response r = call(server, "POST", "/api/v1/flex-queue/" + a2 + "/move", acme, body);
            assertThat(r.status()).as(r.body()).isEqualTo(404);
            assertThat(r.body()).doesNotContain("globex");
        }
        // The admin acting for acme gets the same answer; globex's own move of its batches works.
        Response admin = call(server, "POST", "/api/v1/flex-queue/" + a2 + "/move", ADMIN,
                "{\"before\":\"" + g1 + "\"}", "Millrace-Tenant", "acme");
        assertThat(admin.status()).isEqualTo(404);
        assertThat(call(server, "POST", "/api/v1/flex-queue/" + g1 + "/move", globex, "{\"after\":\"" + a1 + "\"}")
                .status()).isEqualTo(404);
        assertThat(server.millrace().batches().flexQueue(ACME)).isEqualTo(acmeQueue);
        assertThat(server.millrace().batches().flexQueue(TenantId.of("globex"))).isEqualTo(globexQueue);
    }

    private static final TenantId ACME = TenantId.of("acme");

    /** Submits an empty batch of {@link Count} over the API; answers its id and status. */
    private JsonNode submit(MillraceServer server, String key) {
        Response r = call(server, "POST", "/api/v1/batches", key, "{\"type\":\"Count\",\"scope\":1}");
        if (r.status() != 201) throw new AssertionError("submit: " + r);
        return r.json();
    }

    /** Moves a batch over the API; answers the flex queue it answers, as ids. */
    private List<JobId> move(MillraceServer server, String key, JobId batch, String body) {
        Response r = call(server, "POST", "/api/v1/flex-queue/" + batch + "/move", key, body);
        if (r.status() != 200) throw new AssertionError("move " + body + ": " + r);
        List<JobId> out = new ArrayList<>();
        r.json().get("items").forEach(i -> out.add(JobId.of(i.at("/job/id").asText())));
        return out;
    }

    private void assertRefused(MillraceServer server, String key, String body, String field, String detail) {
        assertInvalid(call(server, "POST", "/api/v1/batches/schedule", key, body), field, detail);
    }

    private static void assertInvalid(Response r, String field, String detail) {
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().get("field").asText()).as(r.body()).isEqualTo(field);
        assertThat(r.json().get("detail").asText()).contains(detail);
    }
}
