package dev.millrace.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.millrace.JobId;
import dev.millrace.TenantId;
import dev.millrace.testing.Db;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Batch progress, chunks, errors and the flex queue over the REST API. */
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
}
