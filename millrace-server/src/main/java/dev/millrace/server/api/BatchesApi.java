package dev.millrace.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.millrace.AsyncException;
import dev.millrace.JobId;
import dev.millrace.JobRecord;
import dev.millrace.JobStatus;
import dev.millrace.JobType;
import dev.millrace.Millrace;
import dev.millrace.TenantId;
import dev.millrace.UnknownJobTypeException;
import dev.millrace.batch.BatchError;
import dev.millrace.batch.BatchSource;
import dev.millrace.batch.Batchable;
import dev.millrace.schedule.ScheduleId;
import dev.millrace.schedule.ScheduleRecord;
import dev.millrace.server.http.Access;
import dev.millrace.server.http.ApiModule;
import dev.millrace.server.http.Auth;
import dev.millrace.server.http.IdKind;
import dev.millrace.server.http.Json;
import dev.millrace.server.http.Problem;
import dev.millrace.server.http.Route;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Batches of the caller's tenant: submit one of a registered {@link Batchable} class with its state, or schedule it
 * to be submitted minutes from now; progress (items, errors, chunks by status), chunks, errors; and the flex queue
 * (its holding batches in order) with reordering. The tenant's batches are listed by
 * {@code GET /api/v1/jobs?type=BATCH}; aborting one is {@code POST /api/v1/jobs/{id}/abort}.
 */
public final class BatchesApi implements ApiModule {
    /** The last moment a one-shot schedule can fire: cron years end with 2099. */
    static final Instant LAST_FIRE_TIME = Instant.parse("2099-12-31T23:59:00Z");
    private static final String BATCH = "{\"$ref\":\"#/components/schemas/Batch\"}";
    private static final String SCHEDULE = "{\"$ref\":\"#/components/schemas/Schedule\"}";
    private static final String STATE_DESCRIPTION = "the batch's fields (its state) as a JSON object";
    private static final String SCOPE_RULE = "records per chunk, " + 1 + " to " + BatchSource.MAX_QUERY_SCOPE
            + " (default " + BatchSource.DEFAULT_SCOPE + ")";
    private static final List<String> MOVES = List.of("position", "before", "after", "front", "end");
    private final Millrace millrace;
    private final BatchTypes types;
    private final long maxBody;
    private final InstantSource clock;

    /** Batches of this node's store; these types may be submitted; bodies up to {@code maxBody} bytes. */
    public BatchesApi(Millrace millrace, BatchTypes types, long maxBody, InstantSource clock) {
        this.millrace = millrace;
        this.types = types;
        this.maxBody = maxBody;
        this.clock = clock;
    }

    @Override
    public List<Route> routes() {
        String example = types.names().isEmpty() ? "CloseInvoices" : types.names().get(0);
        return List.of(
                Route.of(HandlerType.POST, "/api/v1/batches", Access.TENANT).operationId("submitBatch")
                        .summary("Submits a batch of a registered batch class with its state; the job is stored before"
                                + " the 201, which gives its status as read then: QUEUED, or HOLDING in the flex queue"
                                + " when the tenant runs as many batches as it may (or further on if a node already"
                                + " took it up). 409 when the flex queue is full.")
                        .request(submitSchema(), "{\"type\":\"" + example + "\",\"state\":{},\"scope\":200}")
                        .response(201, "{\"type\":\"object\",\"required\":[\"id\",\"status\"],\"properties\":{"
                                + "\"id\":{\"type\":\"string\",\"format\":\"uuid\"},\"status\":" + Schemas.STATUS
                                + "}}")
                        .handle(this::submit),
                Route.of(HandlerType.POST, "/api/v1/batches/schedule", Access.TENANT).operationId("scheduleBatch")
                        .summary("Schedules a batch of a registered batch class to be submitted once, minutes from now"
                                + " (Salesforce's System.scheduleBatch): a one-shot schedule of the tenant, answered"
                                + " like POST /api/v1/schedules. 409 when the name is taken or maxSchedules is"
                                + " reached.")
                        .request(scheduleSchema(), "{\"name\":\"close-invoices-tonight\",\"type\":\"" + example
                                + "\",\"state\":{},\"minutes\":60,\"scope\":200}")
                        .response(201, SCHEDULE)
                        .handle(this::schedule),
                Route.of(HandlerType.GET, "/api/v1/batch-types", Access.TENANT).operationId("listBatchTypes")
                        .summary("The batch classes this server can submit: short names where unique, and class names.")
                        .response(200, Schemas.items("{\"type\":\"object\",\"properties\":{\"name\":{\"type\":"
                                + "\"string\"},\"className\":{\"type\":\"string\"}}}"))
                        .handle(ctx -> {
                            Query.only(ctx);
                            ctx.json(Map.of("items", types.names().stream().map(n -> Map.of("name", n,
                                    "className", types.resolve(n).getName())).toList()));
                        }),
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
                        .summary("Moves a holding batch within the flex queue, by exactly one of: a position (0 is the"
                                + " front, past the end is the end), before or after another holding batch, to the"
                                + " front, to the end. Answers the queue and whether the batch moved. 404 when a batch"
                                + " does not exist in the tenant, 409 when one is not in the queue.")
                        .pathParam("id", IdKind.BATCH, "the batch's job id")
                        .request(moveSchema(), "{\"position\":0}")
                        .response(200, "{\"type\":\"object\",\"required\":[\"items\",\"moved\"],\"properties\":{"
                                + "\"items\":{\"type\":\"array\",\"items\":{\"type\":\"object\"}},\"moved\":{\"type\":"
                                + "\"boolean\"}}}")
                        .handle(this::move));
    }

    private void submit(Context ctx) {
        TenantId tenant = Auth.principal(ctx).requireTenant();
        ObjectNode body = Json.readObject(ctx, maxBody);
        Json.onlyFields(body, "", "type", "state", "scope");
        Batchable<?> batch = batch(body);
        int scope = scope(body);
        requireTenant(tenant);
        JobId id;
        try {
            id = millrace.executeBatch(tenant, batch, scope);
        } catch (IllegalArgumentException e) {
            throw refused(e);
        }
        // Read back for the status: a slot was free (QUEUED, or later if a node took it up), or the flex queue's end.
        String status = millrace.jobs().find(tenant, id).map(j -> j.status().name()).orElse(JobStatus.QUEUED.name());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", id.value());
        out.put("status", status);
        ctx.status(201).header("Location", "/api/v1/batches/" + id).json(out);
    }

    private void schedule(Context ctx) {
        TenantId tenant = Auth.principal(ctx).requireTenant();
        ObjectNode body = Json.readObject(ctx, maxBody);
        Json.onlyFields(body, "", "name", "type", "state", "minutes", "scope");
        String name = Json.text(body, "", "name", true, 255);
        if (name.isBlank()) {
            throw Problem.invalid("name", "required", "field 'name' is blank: expected 1 to 255 characters");
        }
        Batchable<?> batch = batch(body);
        long maxMinutes = Math.max(1, Duration.between(clock.instant(), LAST_FIRE_TIME).toMinutes());
        Long minutes = Json.integer(body, "", "minutes", 1, Long.MAX_VALUE);
        if (minutes == null) {
            throw Problem.invalid("minutes", "required", "field 'minutes' is missing: expected how many minutes from"
                    + " now the batch is submitted, 1 to " + maxMinutes);
        }
        if (minutes > maxMinutes) {
            throw Problem.invalid("minutes", "range", "field 'minutes' is " + minutes + ": expected 1 to " + maxMinutes
                    + " (a schedule fires no later than " + LAST_FIRE_TIME + ")");
        }
        int scope = scope(body);
        requireTenant(tenant);
        ScheduleId id;
        try {
            id = millrace.scheduleBatch(tenant, name, batch, minutes.intValue(), scope);
        } catch (IllegalArgumentException e) {
            throw refused(e);
        } catch (UnknownJobTypeException e) {
            throw Problem.invalid("type", "registered", e.getMessage());
        } catch (AsyncException e) {
            // A name already used, or the tenant's maxSchedules reached.
            throw Problem.conflict("schedule", e.getMessage());
        }
        ScheduleRecord s = millrace.schedules().find(tenant, id).orElseThrow();
        ctx.status(201).header("Location", "/api/v1/schedules/" + id)
                .json(SchedulesApi.view(s, millrace.schedules().nextFireTimes(tenant, id, 1)));
    }

    /** The body's batch: its registered type, with its state read strictly into the class. */
    private Batchable<?> batch(ObjectNode body) {
        Class<? extends Batchable<?>> type = types.resolve(Json.text(body, "", "type", true, 500));
        ObjectNode state = Json.object(body, "", "state");
        if (state == null) state = Json.MAPPER.createObjectNode();
        try {
            return Json.STATE_READER.treeToValue(state, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            String path = e instanceof JsonProcessingException j ? Json.path(j) : "";
            String field = path.isEmpty() ? "state" : "state." + path;
            throw Problem.invalid(field, "type", "field '" + field + "' does not fit " + type.getSimpleName() + ": "
                    + Json.oneLine(e) + "; expected " + STATE_DESCRIPTION + " of " + type.getName());
        }
    }

    /** The body's scope, the default when absent; the REST API takes a query source's range for every source. */
    private static int scope(ObjectNode body) {
        Long scope = Json.integer(body, "", "scope", 1, BatchSource.MAX_QUERY_SCOPE);
        return scope == null ? BatchSource.DEFAULT_SCOPE : scope.intValue();
    }

    private void requireTenant(TenantId tenant) {
        if (millrace.tenants().policy(tenant).isEmpty()) {
            throw Problem.notFound("tenant '" + tenant + "' does not exist: expected an existing tenant");
        }
    }

    /** The engine refused a value: name the field its message is about. */
    private static Problem refused(IllegalArgumentException e) {
        String m = String.valueOf(e.getMessage());
        String field = m.startsWith("scope") ? "scope" : m.startsWith("minutes") ? "minutes"
                : m.startsWith("schedule name") ? "name" : "type";
        return Problem.invalid(field, field.equals("type") ? "batch" : "range", m);
    }

    private void move(Context ctx) {
        // The body is read before the lookup, so a client still sending it gets the answer, not a reset.
        ObjectNode body = Json.readObject(ctx, maxBody);
        JobRecord b = batch(ctx);
        Json.onlyFields(body, "", MOVES.toArray(String[]::new));
        List<String> given = MOVES.stream().filter(f -> body.hasNonNull(f)).toList();
        if (given.size() != 1) {
            throw Problem.invalid(given.isEmpty() ? "body" : given.get(1), "one-of", (given.isEmpty() ? "no move is"
                    + " given" : "fields " + given.stream().map(f -> "'" + f + "'").collect(Collectors.joining(" and "))
                    + " are given") + ": expected exactly one of 'position' (0 is the front), 'before' or 'after' (a"
                    + " holding batch's id), 'front': true, 'end': true");
        }
        String how = given.get(0);
        Long position = Json.integer(body, "", "position", 0, 1_000_000);
        JobRecord other = switch (how) {
            case "before", "after" -> other(b, how, Json.text(body, "", how, true, 100));
            case "front", "end" -> {
                if (!body.get(how).isBoolean() || !body.get(how).booleanValue()) {
                    throw Json.wrongType(how, body.get(how), "true (or leave '" + how + "' out)");
                }
                yield null;
            }
            default -> null;
        };
        requireHolding(b, "");
        if (other != null) requireHolding(other, how);
        boolean moved;
        try {
            moved = switch (how) {
                case "before" -> millrace.batches().moveBefore(b.tenant(), b.id(), other.id());
                case "after" -> millrace.batches().moveAfter(b.tenant(), b.id(), other.id());
                case "front" -> millrace.batches().moveToFront(b.tenant(), b.id());
                case "end" -> millrace.batches().moveToEnd(b.tenant(), b.id());
                default -> millrace.batches().moveTo(b.tenant(), b.id(), position.intValue());
            };
        } catch (IllegalArgumentException e) {
            // One of them left the queue (started, or aborted) between the check and the move.
            throw Problem.conflict("not-in-flex-queue", e.getMessage());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("items", flexQueue(b.tenant()));
        out.put("moved", moved);
        ctx.json(out);
    }

    /**
     * The batch a move names in field {@code field} ({@code before} or {@code after}): a malformed id is 400, another
     * tenant's batch or no batch at all 404 (like a path id), the batch being moved itself 400.
     */
    private JobRecord other(JobRecord moving, String field, String text) {
        JobId id;
        try {
            id = JobId.of(text);
        } catch (IllegalArgumentException e) {
            throw Problem.invalid(field, "job-id", "field '" + field + "' is not a batch id: " + e.getMessage());
        }
        if (id.equals(moving.id())) {
            throw Problem.invalid(field, "other-batch", "field '" + field + "' is " + id + ", the batch being moved:"
                    + " expected another batch of the flex queue");
        }
        return millrace.jobs().find(moving.tenant(), id).filter(j -> j.type() == JobType.BATCH).orElseThrow(() ->
                Problem.notFound("batch " + id + " (field '" + field + "') does not exist in tenant '" + moving.tenant()
                        + "': expected the job id of one of its batches"));
    }

    /** Refuses (409) a batch that is not holding in its tenant's flex queue. */
    private void requireHolding(JobRecord b, String field) {
        if (b.status() != JobStatus.HOLDING || !millrace.batches().flexQueue(b.tenant()).contains(b.id())) {
            throw Problem.conflict("not-in-flex-queue", "batch " + b.id() + (field.isEmpty() ? "" : " (field '" + field
                    + "')") + " is " + b.status() + ", not in the flex queue: expected a HOLDING batch of"
                    + " GET /api/v1/flex-queue");
        }
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

    private static String submitSchema() {
        return "{\"type\":\"object\",\"required\":[\"type\"],\"additionalProperties\":false,\"properties\":{"
                + "\"type\":{\"type\":\"string\",\"description\":\"a batch type from GET /api/v1/batch-types\"},"
                + "\"state\":{\"type\":\"object\",\"description\":\"" + STATE_DESCRIPTION + "\"},"
                + "\"scope\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":" + BatchSource.MAX_QUERY_SCOPE
                + ",\"description\":\"" + SCOPE_RULE + "\"}}}";
    }

    private static String scheduleSchema() {
        return "{\"type\":\"object\",\"required\":[\"name\",\"type\",\"minutes\"],\"additionalProperties\":false,"
                + "\"properties\":{\"name\":{\"type\":\"string\",\"maxLength\":255,\"description\":\"the"
                + " schedule's name, unique among the tenant's schedules\"},"
                + "\"type\":{\"type\":\"string\",\"description\":\"a batch type from GET /api/v1/batch-types\"},"
                + "\"state\":{\"type\":\"object\",\"description\":\"" + STATE_DESCRIPTION + "\"},"
                + "\"minutes\":{\"type\":\"integer\",\"minimum\":1,\"description\":\"minutes from now, so that it"
                + " fires by " + LAST_FIRE_TIME + "\"},"
                + "\"scope\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":" + BatchSource.MAX_QUERY_SCOPE
                + ",\"description\":\"" + SCOPE_RULE + "\"}}}";
    }

    private static String moveSchema() {
        return "{\"type\":\"object\",\"additionalProperties\":false,\"minProperties\":1,\"maxProperties\":1,"
                + "\"properties\":{\"position\":{\"type\":\"integer\",\"minimum\":0,\"description\":\"0 is the"
                + " front; past the end is the end\"},\"before\":{\"type\":\"string\",\"format\":\"uuid\","
                + "\"description\":\"a holding batch's id\"},\"after\":{\"type\":\"string\",\"format\":\"uuid\","
                + "\"description\":\"a holding batch's id\"},\"front\":{\"const\":true},\"end\":{\"const\":true}}}";
    }

    static String batchSchema() {
        return "{\"type\":\"object\",\"required\":[\"job\",\"progress\"],\"properties\":{\"job\":" + Schemas.REF_JOB
                + ",\"progress\":{\"type\":\"object\",\"properties\":{\"totalJobItems\":{\"type\":\"integer\"},"
                + "\"jobItemsProcessed\":{\"type\":\"integer\"},\"numberOfErrors\":{\"type\":\"integer\"},"
                + "\"percent\":{\"type\":\"number\"},\"chunks\":{\"type\":\"integer\"},\"chunksByStatus\":{\"type\":"
                + "\"object\",\"additionalProperties\":{\"type\":\"integer\"}}}}}}";
    }
}
