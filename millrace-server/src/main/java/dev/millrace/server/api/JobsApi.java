package dev.millrace.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.millrace.AsyncOptions;
import dev.millrace.DuplicateSignature;
import dev.millrace.JobId;
import dev.millrace.JobPage;
import dev.millrace.JobQuery;
import dev.millrace.JobRecord;
import dev.millrace.JobStatus;
import dev.millrace.JobType;
import dev.millrace.Millrace;
import dev.millrace.Queueable;
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

import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Jobs of the caller's tenant: enqueue, list with filters and keyset paging, read one and its log, abort. */
public final class JobsApi implements ApiModule {
    private static final String STATE_DESCRIPTION = "the job's fields as a JSON object";
    private final Millrace millrace;
    private final JobTypes types;
    private final long maxBody;

    /** Jobs on this node; these types may be enqueued; bodies up to {@code maxBody} bytes. */
    public JobsApi(Millrace millrace, JobTypes types, long maxBody) {
        this.millrace = millrace;
        this.types = types;
        this.maxBody = maxBody;
    }

    @Override
    public List<Route> routes() {
        return List.of(
                Route.of(HandlerType.POST, "/api/v1/jobs", Access.TENANT).operationId("enqueueJob")
                        .summary("Enqueues a registered queueable with its state; the job is stored before the 201.")
                        .request(enqueueSchema(), "{\"type\":\"" + (types.names().isEmpty() ? "SendInvoice"
                                : types.names().get(0)) + "\",\"state\":{},\"options\":{\"delaySeconds\":0}}")
                        .response(201, "{\"type\":\"object\",\"required\":[\"id\"],\"properties\":{\"id\":"
                                + "{\"type\":\"string\",\"format\":\"uuid\"}}}")
                        .handle(this::enqueue),
                Route.of(HandlerType.GET, "/api/v1/jobs", Access.TENANT).operationId("listJobs")
                        .summary("The tenant's jobs, newest first, a page at a time: pass 'next' as 'after'.")
                        .queryParam("status", "{\"type\":\"string\"}", "statuses, comma-separated")
                        .queryParam("type", "{\"type\":\"string\"}", "job types (QUEUEABLE, FUTURE, …), comma-separated")
                        .queryParam("className", "{\"type\":\"string\"}", "the exact class name")
                        .queryParam("parent", "{\"type\":\"string\",\"format\":\"uuid\"}", "only children of this job")
                        .queryParam("limit", "{\"type\":\"integer\",\"minimum\":1,\"maximum\":1000}", "page size, default 100")
                        .queryParam("after", "{\"type\":\"string\",\"format\":\"uuid\"}", "the previous page's 'next'")
                        .response(200, "{\"type\":\"object\",\"required\":[\"items\",\"next\"],\"properties\":{"
                                + "\"items\":{\"type\":\"array\",\"items\":" + Schemas.REF_JOB + "},\"next\":{\"type\":"
                                + "[\"string\",\"null\"]}}}")
                        .handle(this::list),
                Route.of(HandlerType.GET, "/api/v1/job-types", Access.TENANT).operationId("listJobTypes")
                        .summary("The job types this server can enqueue: short names where unique, and class names.")
                        .response(200, Schemas.items("{\"type\":\"object\",\"properties\":{\"name\":{\"type\":"
                                + "\"string\"},\"className\":{\"type\":\"string\"}}}"))
                        .handle(ctx -> ctx.json(Map.of("items", types.names().stream().map(n -> Map.of("name", n,
                                "className", types.resolve(n).getName())).toList()))),
                Route.of(HandlerType.GET, "/api/v1/jobs/{id}", Access.TENANT).operationId("getJob")
                        .summary("One job of the tenant.")
                        .pathParam("id", IdKind.JOB, "the job's id")
                        .response(200, Schemas.REF_JOB)
                        .handle(ctx -> ctx.json(job(ctx))),
                Route.of(HandlerType.GET, "/api/v1/jobs/{id}/log", Access.TENANT).operationId("getJobLog")
                        .summary("A job's log lines, oldest first.")
                        .pathParam("id", IdKind.JOB, "the job's id")
                        .response(200, Schemas.items("{\"type\":\"object\"}"))
                        .handle(ctx -> {
                            JobRecord job = job(ctx);
                            ctx.json(Map.of("items", millrace.jobs().log(job.tenant(), job.id())));
                        }),
                Route.of(HandlerType.POST, "/api/v1/jobs/{id}/abort", Access.TENANT).operationId("abortJob")
                        .summary("Aborts a job that has not ended: a queued one never starts, a running one stops at"
                                + " its next checkAbort(); 409 when it has ended.")
                        .pathParam("id", IdKind.JOB, "the job's id")
                        .response(202, Schemas.REF_JOB)
                        .handle(this::abort));
    }

    private void enqueue(Context ctx) {
        TenantId tenant = Auth.principal(ctx).requireTenant();
        ObjectNode body = Json.readObject(ctx, maxBody);
        Json.onlyFields(body, "", "type", "state", "options");
        String typeName = Json.text(body, "", "type", true, 500);
        Class<? extends Queueable> type = types.resolve(typeName);
        ObjectNode state = Json.object(body, "", "state");
        if (state == null) state = Json.MAPPER.createObjectNode();
        Queueable job;
        try {
            job = Json.STATE_READER.treeToValue(state, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            String path = e instanceof JsonProcessingException j ? Json.path(j) : "";
            String field = path.isEmpty() ? "state" : "state." + path;
            throw Problem.invalid(field, "type", "field '" + field + "' does not fit " + type.getSimpleName() + ": "
                    + Json.oneLine(e) + "; expected " + STATE_DESCRIPTION + " of " + type.getName());
        }
        AsyncOptions options = options(Json.object(body, "", "options"));
        if (millrace.tenants().policy(tenant).isEmpty()) {
            throw Problem.notFound("tenant '" + tenant + "' does not exist: expected an existing tenant");
        }
        JobId id;
        try {
            id = millrace.enqueue(tenant, job, options);
        } catch (IllegalArgumentException e) {
            // The tenant's policy refused an option (a delay past its maximum, say): name the option.
            String m = String.valueOf(e.getMessage());
            String field = m.startsWith("delay") || m.contains("minimumDelay") ? "options.delaySeconds"
                    : m.contains("StackDepth") || m.contains("depth") ? "options.maximumStackDepth" : "options";
            throw Problem.invalid(field, "policy", m);
        }
        ctx.status(201).header("Location", "/api/v1/jobs/" + id).json(Map.of("id", id.value()));
    }

    private static AsyncOptions options(ObjectNode node) {
        if (node == null) return AsyncOptions.none();
        Json.onlyFields(node, "options.", "delaySeconds", "duplicateSignature", "maximumStackDepth");
        AsyncOptions.Builder b = AsyncOptions.builder();
        Long delay = Json.integer(node, "options.", "delaySeconds", 0, 7L * 24 * 3600);
        if (delay != null) b.delay(Duration.ofSeconds(delay));
        Long depth = Json.integer(node, "options.", "maximumStackDepth", 1, 1_000_000);
        if (depth != null) b.maximumStackDepth(depth.intValue());
        JsonNode sig = node.get("duplicateSignature");
        if (sig != null && !sig.isNull()) b.duplicateSignature(signature(sig));
        return b.build();
    }

    /** A signature from a string, or from an array of strings and whole numbers (each a part). */
    private static DuplicateSignature signature(JsonNode sig) {
        String field = "options.duplicateSignature";
        DuplicateSignature.Builder b = DuplicateSignature.builder();
        try {
            if (sig.isTextual()) {
                b.add(sig.textValue());
            } else if (sig.isArray() && !sig.isEmpty()) {
                int i = 0;
                for (JsonNode part : (ArrayNode) sig) {
                    if (part.isTextual()) b.add(part.textValue());
                    else if (part.isIntegralNumber() && part.canConvertToLong()) b.add(part.longValue());
                    else throw Json.wrongType(field + "[" + i + "]", part, "a string or a whole number");
                    i++;
                }
            } else {
                throw Json.wrongType(field, sig, "a string, or a non-empty array of strings and whole numbers");
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            throw Problem.invalid(field, "max-size", e.getMessage());
        }
    }

    private void list(Context ctx) {
        TenantId tenant = Auth.principal(ctx).requireTenant();
        Map<String, List<String>> params = ctx.queryParamMap();
        for (String name : params.keySet()) {
            if (!Set.of("status", "type", "className", "parent", "limit", "after").contains(name)) {
                throw Problem.invalid(name, "unknown-parameter", "query parameter '" + name + "' is unknown: expected"
                        + " status, type, className, parent, limit or after");
            }
        }
        JobQuery.Builder q = JobQuery.forTenant(tenant);
        String status = single(ctx, "status");
        if (status != null) q.status(enums(JobStatus.class, "status", status).toArray(JobStatus[]::new));
        String type = single(ctx, "type");
        if (type != null) q.type(enums(JobType.class, "type", type).toArray(JobType[]::new));
        String className = single(ctx, "className");
        if (className != null) {
            if (className.length() > 500) throw Problem.invalid("className", "max-length", "className is longer than 500");
            q.className(className);
        }
        String parent = single(ctx, "parent");
        if (parent != null) q.parent(jobId("parent", parent));
        String after = single(ctx, "after");
        if (after != null) q.after(jobId("after", after));
        String limit = single(ctx, "limit");
        if (limit != null) {
            int n;
            try {
                n = Integer.parseInt(limit);
            } catch (NumberFormatException e) {
                throw Problem.invalid("limit", "type", "limit '" + limit + "' is not a whole number: expected 1 to "
                        + JobQuery.MAX_LIMIT);
            }
            if (n < 1 || n > JobQuery.MAX_LIMIT) {
                throw Problem.invalid("limit", "range", "limit " + n + " is out of range: expected 1 to "
                        + JobQuery.MAX_LIMIT);
            }
            q.limit(n);
        }
        JobPage page = millrace.jobs().find(q.build());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("items", page.jobs());
        out.put("next", page.nextCursor().map(JobId::value).orElse(null));
        ctx.json(out);
    }

    private static String single(Context ctx, String name) {
        List<String> values = ctx.queryParams(name);
        if (values.isEmpty()) return null;
        if (values.size() > 1) {
            throw Problem.invalid(name, "single", "query parameter '" + name + "' is given " + values.size()
                    + " times: expected it once (several values go comma-separated)");
        }
        return values.get(0).isBlank() ? null : values.get(0);
    }

    private static <E extends Enum<E>> Set<E> enums(Class<E> type, String name, String text) {
        Set<E> out = EnumSet.noneOf(type);
        for (String part : text.split(",")) {
            try {
                out.add(Enum.valueOf(type, part.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw Problem.invalid(name, "enum", name + " '" + part.trim() + "' is unknown: expected "
                        + Arrays.stream(type.getEnumConstants()).map(Enum::name).collect(Collectors.joining(", ")));
            }
        }
        return out;
    }

    private static JobId jobId(String field, String text) {
        try {
            return JobId.of(text);
        } catch (IllegalArgumentException e) {
            throw Problem.invalid(field, "job-id", e.getMessage());
        }
    }

    /** The path's job within the caller's tenant; any other id, or a malformed one, is 404. */
    private JobRecord job(Context ctx) {
        TenantId tenant = Auth.principal(ctx).requireTenant();
        JobId id = Problem.pathId("job", ctx.pathParam("id"), JobId::of);
        return millrace.jobs().find(tenant, id).orElseThrow(() -> Problem.notFound("job " + id
                + " does not exist in tenant '" + tenant + "': expected the id of one of its jobs"));
    }

    private void abort(Context ctx) {
        JobRecord job = job(ctx);
        if (job.status().isTerminal()) {
            throw Problem.conflict("not-ended", "job " + job.id() + " has already ended (" + job.status()
                    + "): expected a job that has not ended");
        }
        try {
            millrace.jobs().abort(job.tenant(), job.id());
        } catch (dev.millrace.JobNotFoundException e) {
            // It ended between the read and the abort.
            throw Problem.conflict("not-ended", e.getMessage());
        }
        ctx.status(202).json(millrace.jobs().find(job.tenant(), job.id()).orElse(job));
    }

    private static String enqueueSchema() {
        return "{\"type\":\"object\",\"required\":[\"type\"],\"additionalProperties\":false,\"properties\":{"
                + "\"type\":{\"type\":\"string\",\"description\":\"a job type from GET /api/v1/job-types\"},"
                + "\"state\":{\"type\":\"object\",\"description\":\"" + STATE_DESCRIPTION + "\"},"
                + "\"options\":{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{"
                + "\"delaySeconds\":{\"type\":\"integer\",\"minimum\":0},"
                + "\"duplicateSignature\":{\"oneOf\":[{\"type\":\"string\"},{\"type\":\"array\",\"items\":"
                + "{\"type\":[\"string\",\"integer\"]}}]},"
                + "\"maximumStackDepth\":{\"type\":\"integer\",\"minimum\":1}}}}}";
    }

    static String jobSchema() {
        StringBuilder props = new StringBuilder();
        for (var c : JobRecord.class.getRecordComponents()) {
            if (!props.isEmpty()) props.append(',');
            Class<?> t = c.getType();
            String schema;
            if (t == int.class) schema = "{\"type\":\"integer\"}";
            else if (t == Integer.class) schema = "{\"type\":[\"integer\",\"null\"]}";
            else if (t == java.time.Instant.class) schema = "{\"type\":[\"string\",\"null\"],\"format\":\"date-time\"}";
            else if (t == JobStatus.class) schema = Schemas.STATUS;
            else schema = "{\"type\":[\"string\",\"null\"]}";
            props.append('"').append(c.getName()).append("\":").append(schema);
        }
        return "{\"type\":\"object\",\"required\":[\"id\",\"tenant\",\"type\",\"status\"],\"properties\":{" + props + "}}";
    }
}
