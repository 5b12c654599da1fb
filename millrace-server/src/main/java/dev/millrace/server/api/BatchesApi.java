package dev.millrace.server.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.millrace.BatchError;
import dev.millrace.JobId;
import dev.millrace.JobRecord;
import dev.millrace.JobStatus;
import dev.millrace.JobType;
import dev.millrace.Millrace;
import dev.millrace.TenantId;
import dev.millrace.server.http.Access;
import dev.millrace.server.http.ApiModule;
import dev.millrace.server.http.Auth;
import dev.millrace.server.http.IdKind;
import dev.millrace.server.http.Json;
import dev.millrace.server.http.Problem;
import dev.millrace.server.http.Route;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Batches of the caller's tenant: progress (items, errors, chunks by status), chunks, errors; and the flex queue
 * (its holding batches in order) with reordering. Batches are submitted in Java ({@code Millrace.executeBatch});
 * aborting one is {@code POST /api/v1/jobs/{id}/abort}.
 */
public final class BatchesApi implements ApiModule {
    private static final String BATCH = "{\"$ref\":\"#/components/schemas/Batch\"}";
    private final Millrace millrace;
    private final long maxBody;

    /** Batches of this node's store; bodies up to {@code maxBody} bytes. */
    public BatchesApi(Millrace millrace, long maxBody) {
        this.millrace = millrace;
        this.maxBody = maxBody;
    }

    @Override
    public List<Route> routes() {
        return List.of(
                Route.of(HandlerType.GET, "/api/v1/batches/{id}", Access.TENANT).operationId("getBatch")
                        .summary("A batch with its progress: items processed of the total, errors, and its chunks by"
                                + " status.")
                        .pathParam("id", IdKind.BATCH, "the batch's job id")
                        .response(200, BATCH)
                        .handle(ctx -> {
                            Query.only(ctx);
                            JobRecord b = batch(ctx);
                            ctx.json(view(b, millrace.batches().chunks(b.tenant(), b.id())));
                        }),
                Route.of(HandlerType.GET, "/api/v1/batches/{id}/chunks", Access.TENANT).operationId("listBatchChunks")
                        .summary("A batch's chunk jobs in chunk order, each with its status.")
                        .pathParam("id", IdKind.BATCH, "the batch's job id")
                        .response(200, Schemas.items(Schemas.REF_JOB))
                        .handle(ctx -> {
                            Query.only(ctx);
                            JobRecord b = batch(ctx);
                            ctx.json(Map.of("items", millrace.batches().chunks(b.tenant(), b.id())));
                        }),
                Route.of(HandlerType.GET, "/api/v1/batches/{id}/errors", Access.TENANT).operationId("listBatchErrors")
                        .summary("A batch's errors, oldest first: phase, chunk, exception, message, failed record ids.")
                        .pathParam("id", IdKind.BATCH, "the batch's job id")
                        .response(200, Schemas.items("{\"type\":\"object\",\"properties\":{\"chunkJobId\":{\"type\":"
                                + "[\"string\",\"null\"]},\"phase\":{\"type\":\"string\",\"enum\":[\"START\",\"EXECUTE\","
                                + "\"FINISH\"]},\"exceptionType\":{\"type\":\"string\"},\"message\":{\"type\":[\"string\","
                                + "\"null\"]},\"failedRecordIds\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},"
                                + "\"occurredAt\":{\"type\":\"string\",\"format\":\"date-time\"}}}"))
                        .handle(ctx -> {
                            Query.only(ctx);
                            JobRecord b = batch(ctx);
                            List<Map<String, Object>> out = new ArrayList<>();
                            for (BatchError e : millrace.batches().errors(b.tenant(), b.id())) out.add(error(e));
                            ctx.json(Map.of("items", out));
                        }),
                Route.of(HandlerType.GET, "/api/v1/flex-queue", Access.TENANT).operationId("listFlexQueue")
                        .summary("The tenant's flex queue: its holding batches, front (position 0) first.")
                        .response(200, Schemas.items("{\"type\":\"object\",\"properties\":{\"position\":{\"type\":"
                                + "\"integer\"},\"job\":" + Schemas.REF_JOB + "}}"))
                        .handle(ctx -> {
                            Query.only(ctx);
                            ctx.json(Map.of("items", flexQueue(Auth.principal(ctx).requireTenant())));
                        }),
                Route.of(HandlerType.POST, "/api/v1/flex-queue/{id}/move", Access.TENANT).operationId("moveInFlexQueue")
                        .summary("Moves a holding batch to a position of the flex queue (0 is the front, past the end is"
                                + " the end); answers the queue. 409 when the batch is not in the queue.")
                        .pathParam("id", IdKind.BATCH, "the batch's job id")
                        .request("{\"type\":\"object\",\"required\":[\"position\"],\"additionalProperties\":false,"
                                + "\"properties\":{\"position\":{\"type\":\"integer\",\"minimum\":0}}}", "{\"position\":0}")
                        .response(200, Schemas.items("{\"type\":\"object\"}"))
                        .handle(this::move));
    }

    private void move(Context ctx) {
        // The body is read before the lookup, so a client still sending it gets the answer, not a reset.
        ObjectNode body = Json.readObject(ctx, maxBody);
        JobRecord b = batch(ctx);
        Json.onlyFields(body, "", "position");
        Long position = Json.integer(body, "", "position", 0, 1_000_000);
        if (position == null) {
            throw Problem.invalid("position", "required", "field 'position' is missing: expected 0 (the front) or more");
        }
        if (b.status() != JobStatus.HOLDING || !millrace.batches().flexQueue(b.tenant()).contains(b.id())) {
            throw Problem.conflict("not-in-flex-queue", "batch " + b.id() + " is " + b.status() + ", not in the flex"
                    + " queue: expected a HOLDING batch of GET /api/v1/flex-queue");
        }
        try {
            millrace.batches().moveTo(b.tenant(), b.id(), position.intValue());
        } catch (IllegalArgumentException e) {
            // It left the queue (started, or aborted) between the check and the move.
            throw Problem.conflict("not-in-flex-queue", e.getMessage());
        }
        ctx.json(Map.of("items", flexQueue(b.tenant())));
    }

    private List<Map<String, Object>> flexQueue(TenantId tenant) {
        List<Map<String, Object>> out = new ArrayList<>();
        int i = 0;
        for (JobId id : millrace.batches().flexQueue(tenant)) {
            int position = i++;
            millrace.jobs().find(tenant, id).ifPresent(job -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("position", position);
                m.put("job", job);
                out.add(m);
            });
        }
        return out;
    }

    /** The path's batch within the caller's tenant; another tenant's, a job that is no batch, or a bad id is 404. */
    private JobRecord batch(Context ctx) {
        TenantId tenant = Auth.principal(ctx).requireTenant();
        JobId id = Problem.pathId("batch", ctx.pathParam("id"), JobId::of);
        return millrace.jobs().find(tenant, id).filter(j -> j.type() == JobType.BATCH).orElseThrow(() ->
                Problem.notFound("batch " + id + " does not exist in tenant '" + tenant + "': expected the job id of"
                        + " one of its batches"));
    }

    static Map<String, Object> view(JobRecord b, List<JobRecord> chunks) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("job", b);
        Map<String, Long> byStatus = new LinkedHashMap<>();
        Map<JobStatus, Long> counts = new EnumMap<>(JobStatus.class);
        for (JobRecord c : chunks) counts.merge(c.status(), 1L, Long::sum);
        for (JobStatus s : JobStatus.values()) byStatus.put(s.name(), counts.getOrDefault(s, 0L));
        Map<String, Object> progress = new LinkedHashMap<>();
        progress.put("totalJobItems", b.totalJobItems());
        progress.put("jobItemsProcessed", b.jobItemsProcessed());
        progress.put("numberOfErrors", b.numberOfErrors());
        progress.put("percent", b.totalJobItems() <= 0 ? (b.status().isTerminal() ? 100.0 : 0.0)
                : Math.min(100.0, Math.round(1000.0 * b.jobItemsProcessed() / b.totalJobItems()) / 10.0));
        progress.put("chunks", chunks.size());
        progress.put("chunksByStatus", byStatus);
        m.put("progress", progress);
        return m;
    }

    private static Map<String, Object> error(BatchError e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("chunkJobId", e.chunkJobId() == null ? null : e.chunkJobId().value());
        m.put("phase", e.phase().name());
        m.put("exceptionType", e.exceptionType());
        m.put("message", e.message());
        m.put("stackTrace", e.stackTrace());
        m.put("failedRecordIds", e.failedRecordIds());
        m.put("scopeTruncated", e.scopeTruncated());
        m.put("occurredAt", e.occurredAt());
        return m;
    }

    static String batchSchema() {
        return "{\"type\":\"object\",\"required\":[\"job\",\"progress\"],\"properties\":{\"job\":" + Schemas.REF_JOB
                + ",\"progress\":{\"type\":\"object\",\"properties\":{\"totalJobItems\":{\"type\":\"integer\"},"
                + "\"jobItemsProcessed\":{\"type\":\"integer\"},\"numberOfErrors\":{\"type\":\"integer\"},"
                + "\"percent\":{\"type\":\"number\"},\"chunks\":{\"type\":\"integer\"},\"chunksByStatus\":{\"type\":"
                + "\"object\",\"additionalProperties\":{\"type\":\"integer\"}}}}}}";
    }
}
