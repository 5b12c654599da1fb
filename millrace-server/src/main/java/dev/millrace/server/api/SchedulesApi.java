package dev.millrace.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.millrace.AsyncException;
import dev.millrace.JobId;
import dev.millrace.Millrace;
import dev.millrace.TenantId;
import dev.millrace.schedule.CronExpression;
import dev.millrace.schedule.MisfirePolicy;
import dev.millrace.schedule.Schedulable;
import dev.millrace.schedule.ScheduleId;
import dev.millrace.schedule.ScheduleNotFoundException;
import dev.millrace.schedule.ScheduleOptions;
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

import java.time.DateTimeException;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Schedules of the caller's tenant: create one for a registered {@link Schedulable} with its state, list, read one
 * with its next fire times, change its cron expression, pause, resume, run once now, delete; and a cron check
 * for editors ({@code /api/v1/cron/next}) that touches no data.
 */
public final class SchedulesApi implements ApiModule {
    /** The most fire times one request may ask for. */
    public static final int MAX_NEXT = 100;
    private static final String SCHEDULE = "{\"$ref\":\"#/components/schemas/Schedule\"}";
    private static final String CRON_DESCRIPTION = "Salesforce's cron syntax: Seconds Minutes Hours Day_of_month"
            + " Month Day_of_week [Year], for example 0 0 2 * * ?";
    private final Millrace millrace;
    private final ScheduleTypes types;
    private final long maxBody;
    private final InstantSource clock;

    /** Schedules on this node; these types may be scheduled; bodies up to {@code maxBody} bytes. */
    public SchedulesApi(Millrace millrace, ScheduleTypes types, long maxBody, InstantSource clock) {
        this.millrace = millrace;
        this.types = types;
        this.maxBody = maxBody;
        this.clock = clock;
    }

    @Override
    public List<Route> routes() {
        String example = types.names().isEmpty() ? "NightlyInvoices" : types.names().get(0);
        return List.of(
                Route.of(HandlerType.POST, "/api/v1/schedules", Access.TENANT).operationId("createSchedule")
                        .summary("Schedules a registered schedulable with its state; 409 when the name is taken or the"
                                + " tenant's maxSchedules is reached.")
                        .request(createSchema(), "{\"name\":\"nightly-report\",\"cron\":\"0 0 2 * * ?\",\"type\":\""
                                + example + "\",\"state\":{},\"zone\":\"Europe/London\",\"options\":"
                                + "{\"misfirePolicy\":\"SKIP\",\"allowOverlap\":false}}")
                        .response(201, SCHEDULE)
                        .handle(this::create),
                Route.of(HandlerType.GET, "/api/v1/schedules", Access.TENANT).operationId("listSchedules")
                        .summary("The tenant's schedules, by name.")
                        .response(200, Schemas.items(SCHEDULE))
                        .handle(ctx -> {
                            Query.only(ctx);
                            TenantId tenant = Auth.principal(ctx).requireTenant();
                            ctx.json(Map.of("items", millrace.schedules().list(tenant).stream()
                                    .map(s -> view(s, null)).toList()));
                        }),
                Route.of(HandlerType.GET, "/api/v1/schedule-types", Access.TENANT).operationId("listScheduleTypes")
                        .summary("The schedulable types this server can schedule.")
                        .response(200, Schemas.items("{\"type\":\"object\",\"properties\":{\"name\":{\"type\":"
                                + "\"string\"}}}"))
                        .handle(ctx -> {
                            Query.only(ctx);
                            ctx.json(Map.of("items", types.names().stream().map(n -> Map.of("name", n)).toList()));
                        }),
                Route.of(HandlerType.GET, "/api/v1/schedules/{id}", Access.TENANT).operationId("getSchedule")
                        .summary("One schedule with its next fire times (none when paused or completed).")
                        .pathParam("id", IdKind.SCHEDULE, "the schedule's id")
                        .queryParam("next", "{\"type\":\"integer\",\"minimum\":0,\"maximum\":" + MAX_NEXT + "}",
                                "how many next fire times, default 5")
                        .response(200, SCHEDULE)
                        .handle(ctx -> {
                            Query.only(ctx, "next");
                            int n = Query.integer(ctx, "next", 0, MAX_NEXT, 5);
                            ScheduleRecord s = schedule(ctx);
                            ctx.json(view(s, millrace.schedules().nextFireTimes(s.tenant(), s.id(), n)));
                        }),
                Route.of(HandlerType.PATCH, "/api/v1/schedules/{id}", Access.TENANT).operationId("changeSchedule")
                        .summary("Changes the cron expression; it takes effect from the next fire, computed from now.")
                        .pathParam("id", IdKind.SCHEDULE, "the schedule's id")
                        .request("{\"type\":\"object\",\"required\":[\"cron\"],\"additionalProperties\":false,"
                                + "\"properties\":{\"cron\":{\"type\":\"string\",\"description\":\"" + CRON_DESCRIPTION
                                + "\"}}}", "{\"cron\":\"0 30 3 * * ?\"}")
                        .response(200, SCHEDULE)
                        .handle(this::change),
                Route.of(HandlerType.POST, "/api/v1/schedules/{id}/pause", Access.TENANT).operationId("pauseSchedule")
                        .summary("Pauses a schedule: it does not fire until resumed.")
                        .pathParam("id", IdKind.SCHEDULE, "the schedule's id")
                        .response(200, SCHEDULE)
                        .handle(ctx -> {
                            ScheduleRecord s = schedule(ctx);
                            ctx.json(view(millrace.schedules().pause(s.tenant(), s.id()), null));
                        }),
                Route.of(HandlerType.POST, "/api/v1/schedules/{id}/resume", Access.TENANT).operationId("resumeSchedule")
                        .summary("Resumes a paused schedule at its next fire time after now; missed occurrences do not"
                                + " fire.")
                        .pathParam("id", IdKind.SCHEDULE, "the schedule's id")
                        .response(200, SCHEDULE)
                        .handle(ctx -> {
                            ScheduleRecord s = schedule(ctx);
                            ctx.json(view(millrace.schedules().resume(s.tenant(), s.id()), null));
                        }),
                Route.of(HandlerType.POST, "/api/v1/schedules/{id}/run", Access.TENANT).operationId("runSchedule")
                        .summary("Runs the schedulable once now, outside its cron; the schedule's next fire is unchanged.")
                        .pathParam("id", IdKind.SCHEDULE, "the schedule's id")
                        .response(202, "{\"type\":\"object\",\"required\":[\"jobId\"],\"properties\":{\"jobId\":"
                                + "{\"type\":\"string\",\"format\":\"uuid\"}}}")
                        .handle(ctx -> {
                            ScheduleRecord s = schedule(ctx);
                            JobId job = millrace.schedules().runNow(s.tenant(), s.id());
                            ctx.status(202).json(Map.of("jobId", job.value()));
                        }),
                Route.of(HandlerType.DELETE, "/api/v1/schedules/{id}", Access.TENANT).operationId("deleteSchedule")
                        .summary("Deletes a schedule: it never fires again; a job it already enqueued is not stopped.")
                        .pathParam("id", IdKind.SCHEDULE, "the schedule's id")
                        .response(204, null)
                        .handle(ctx -> {
                            ScheduleRecord s = schedule(ctx);
                            try {
                                millrace.schedules().delete(s.tenant(), s.id());
                            } catch (ScheduleNotFoundException e) {
                                throw Problem.notFound(e.getMessage());
                            }
                            ctx.status(204);
                        }),
                Route.of(HandlerType.GET, "/api/v1/cron/next", Access.TENANT).operationId("cronNext")
                        .summary("Checks a cron expression and gives its next fire times; a bad one is 400 naming the"
                                + " cron field and what was expected. Reads no data.")
                        .queryParam("expression", "{\"type\":\"string\"}", CRON_DESCRIPTION)
                        .queryParam("zone", "{\"type\":\"string\"}", "an IANA time zone, default UTC")
                        .queryParam("n", "{\"type\":\"integer\",\"minimum\":1,\"maximum\":" + MAX_NEXT + "}",
                                "how many fire times, default 5")
                        .response(200, "{\"type\":\"object\",\"required\":[\"expression\",\"zone\",\"fireTimes\"],"
                                + "\"properties\":{\"expression\":{\"type\":\"string\"},\"zone\":{\"type\":\"string\"},"
                                + "\"salesforceCompatible\":{\"type\":\"boolean\"},\"fireTimes\":{\"type\":\"array\","
                                + "\"items\":{\"type\":\"string\",\"format\":\"date-time\"}}}}")
                        .handle(this::cronNext));
    }

    private void create(Context ctx) {
        TenantId tenant = Auth.principal(ctx).requireTenant();
        ObjectNode body = Json.readObject(ctx, maxBody);
        Json.onlyFields(body, "", "name", "cron", "type", "state", "zone", "options");
        String name = Json.text(body, "", "name", true, 255);
        if (name.isBlank()) throw Problem.invalid("name", "required", "field 'name' is blank: expected 1 to 255 characters");
        String cron = Json.text(body, "", "cron", true, 200);
        CronExpression expression = cron(cron);
        Class<? extends Schedulable> type = types.resolve(Json.text(body, "", "type", true, 500));
        ObjectNode state = Json.object(body, "", "state");
        if (state == null) state = Json.MAPPER.createObjectNode();
        Schedulable schedulable;
        try {
            schedulable = Json.STATE_READER.treeToValue(state, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            String path = e instanceof JsonProcessingException j ? Json.path(j) : "";
            String field = path.isEmpty() ? "state" : "state." + path;
            throw Problem.invalid(field, "type", "field '" + field + "' does not fit " + type.getSimpleName() + ": "
                    + Json.oneLine(e) + "; expected the schedulable's fields as a JSON object of " + type.getName());
        }
        ZoneId zone = zone("zone", Json.text(body, "", "zone", false, 100));
        ScheduleOptions options = options(Json.object(body, "", "options"));
        if (expression.nextFireTime(zone, clock.instant()).isEmpty()) {
            throw Problem.invalid("cron", "cron", "cron expression \"" + cron + "\" has no fire time after now in "
                    + zone + ": expected an expression that fires in the future");
        }
        if (millrace.tenants().policy(tenant).isEmpty()) {
            throw Problem.notFound("tenant '" + tenant + "' does not exist: expected an existing tenant");
        }
        ScheduleId id;
        try {
            id = millrace.schedule(tenant, name, cron, schedulable, zone, options);
        } catch (IllegalArgumentException e) {
            throw Problem.invalid(String.valueOf(e.getMessage()).contains("name") ? "name" : "cron", "value", e.getMessage());
        } catch (AsyncException e) {
            // A name already used, or the tenant's maxSchedules reached.
            throw Problem.conflict("schedule", e.getMessage());
        }
        ScheduleRecord s = millrace.schedules().find(tenant, id).orElseThrow();
        ctx.status(201).header("Location", "/api/v1/schedules/" + id)
                .json(view(s, millrace.schedules().nextFireTimes(tenant, id, 5)));
    }

    private void change(Context ctx) {
        // The body is read before the lookup, so a client still sending it gets the answer, not a reset.
        ObjectNode body = Json.readObject(ctx, maxBody);
        ScheduleRecord s = schedule(ctx);
        Json.onlyFields(body, "", "cron");
        String cron = Json.text(body, "", "cron", true, 200);
        CronExpression expression = cron(cron);
        if (expression.nextFireTime(s.zone(), clock.instant()).isEmpty()) {
            throw Problem.invalid("cron", "cron", "cron expression \"" + cron + "\" has no fire time after now in "
                    + s.zone() + ": expected an expression that fires in the future");
        }
        ScheduleRecord changed;
        try {
            changed = millrace.schedules().changeCron(s.tenant(), s.id(), cron);
        } catch (ScheduleNotFoundException e) {
            throw Problem.notFound(e.getMessage());
        } catch (IllegalArgumentException e) {
            throw Problem.invalid("cron", "cron", e.getMessage());
        }
        ctx.json(view(changed, millrace.schedules().nextFireTimes(s.tenant(), s.id(), 5)));
    }

    private void cronNext(Context ctx) {
        Query.only(ctx, "expression", "zone", "n");
        String text = Query.single(ctx, "expression");
        if (text == null) {
            throw Problem.invalid("expression", "required", "query parameter 'expression' is missing: expected "
                    + CRON_DESCRIPTION);
        }
        if (text.length() > 200) {
            throw Problem.invalid("expression", "max-length", "expression has " + text.length()
                    + " characters: expected at most 200");
        }
        CronExpression expression;
        try {
            expression = CronExpression.parse(text);
        } catch (IllegalArgumentException e) {
            throw Problem.invalid("expression", "cron", e.getMessage());
        }
        ZoneId zone = zone("zone", Query.single(ctx, "zone"));
        int n = Query.integer(ctx, "n", 1, MAX_NEXT, 5);
        List<ZonedDateTime> times = expression.nextFireTimes(zone, clock.instant(), n);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("expression", text);
        out.put("zone", zone.getId());
        out.put("salesforceCompatible", expression.isSalesforceCompatible());
        out.put("fireTimes", times.stream().map(ZonedDateTime::toInstant).toList());
        ctx.json(out);
    }

    private static CronExpression cron(String text) {
        try {
            return CronExpression.parse(text);
        } catch (IllegalArgumentException e) {
            throw Problem.invalid("cron", "cron", e.getMessage());
        }
    }

    private static ZoneId zone(String field, String text) {
        if (text == null) return ZoneOffset.UTC;
        try {
            return ZoneId.of(text);
        } catch (DateTimeException e) {
            throw Problem.invalid(field, "zone", field + " '" + text + "' is not a time zone (" + e.getMessage()
                    + "): expected an IANA zone such as Europe/London, or UTC");
        }
    }

    private static ScheduleOptions options(ObjectNode node) {
        ScheduleOptions o = ScheduleOptions.defaults();
        if (node == null) return o;
        Json.onlyFields(node, "options.", "misfirePolicy", "allowOverlap");
        String misfire = Json.text(node, "options.", "misfirePolicy", false, 20);
        if (misfire != null) {
            try {
                o = o.misfirePolicy(MisfirePolicy.valueOf(misfire));
            } catch (IllegalArgumentException e) {
                throw Problem.invalid("options.misfirePolicy", "enum", "options.misfirePolicy '" + misfire
                        + "' is unknown: expected FIRE_ONCE or SKIP");
            }
        }
        JsonNode overlap = node.get("allowOverlap");
        if (overlap != null && !overlap.isNull()) {
            if (!overlap.isBoolean()) throw Json.wrongType("options.allowOverlap", overlap, "a boolean");
            o = o.allowOverlap(overlap.booleanValue());
        }
        return o;
    }

    /** The path's schedule within the caller's tenant; any other id, or a malformed one, is 404. */
    private ScheduleRecord schedule(Context ctx) {
        TenantId tenant = Auth.principal(ctx).requireTenant();
        ScheduleId id = Problem.pathId("schedule", ctx.pathParam("id"), ScheduleId::of);
        return millrace.schedules().find(tenant, id).orElseThrow(() -> Problem.notFound("schedule " + id
                + " does not exist in tenant '" + tenant + "': expected the id of one of its schedules"));
    }

    /** A schedule as JSON, with its next fire times when given. */
    static Map<String, Object> view(ScheduleRecord s, List<Instant> next) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.id().value());
        m.put("tenant", s.tenant().value());
        m.put("name", s.name());
        m.put("cron", s.cron());
        m.put("zone", s.zone().getId());
        m.put("className", s.className());
        m.put("state", s.state().name());
        m.put("misfirePolicy", s.misfirePolicy().name());
        m.put("allowOverlap", s.allowOverlap());
        m.put("nextFireTime", s.nextFireTime());
        m.put("lastFireTime", s.lastFireTime());
        m.put("lastJobId", s.lastJobId() == null ? null : s.lastJobId().value());
        m.put("fireCount", s.fireCount());
        m.put("skippedCount", s.skippedCount());
        m.put("lastError", s.lastError());
        m.put("createdAt", s.createdAt());
        if (next != null) m.put("nextFireTimes", next);
        return m;
    }

    private static String createSchema() {
        return "{\"type\":\"object\",\"required\":[\"name\",\"cron\",\"type\"],\"additionalProperties\":false,"
                + "\"properties\":{\"name\":{\"type\":\"string\",\"maxLength\":255},"
                + "\"cron\":{\"type\":\"string\",\"description\":\"" + CRON_DESCRIPTION + "\"},"
                + "\"type\":{\"type\":\"string\",\"description\":\"a type from GET /api/v1/schedule-types\"},"
                + "\"state\":{\"type\":\"object\",\"description\":\"the schedulable's fields\"},"
                + "\"zone\":{\"type\":\"string\",\"description\":\"an IANA time zone, default UTC\"},"
                + "\"options\":{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{"
                + "\"misfirePolicy\":{\"type\":\"string\",\"enum\":[\"FIRE_ONCE\",\"SKIP\"]},"
                + "\"allowOverlap\":{\"type\":\"boolean\"}}}}}";
    }

    static String scheduleSchema() {
        return "{\"type\":\"object\",\"required\":[\"id\",\"name\",\"cron\",\"zone\",\"state\"],\"properties\":{"
                + "\"id\":{\"type\":\"string\",\"format\":\"uuid\"},\"tenant\":{\"type\":\"string\"},"
                + "\"name\":{\"type\":\"string\"},\"cron\":{\"type\":\"string\"},\"zone\":{\"type\":\"string\"},"
                + "\"className\":{\"type\":\"string\"},\"state\":{\"type\":\"string\",\"enum\":[\"WAITING\","
                + "\"EXECUTING\",\"PAUSED\",\"COMPLETED\"]},\"misfirePolicy\":{\"type\":\"string\"},"
                + "\"allowOverlap\":{\"type\":\"boolean\"},"
                + "\"nextFireTime\":{\"type\":[\"string\",\"null\"],\"format\":\"date-time\"},"
                + "\"lastFireTime\":{\"type\":[\"string\",\"null\"],\"format\":\"date-time\"},"
                + "\"lastJobId\":{\"type\":[\"string\",\"null\"]},\"fireCount\":{\"type\":\"integer\"},"
                + "\"skippedCount\":{\"type\":\"integer\"},\"lastError\":{\"type\":[\"string\",\"null\"]},"
                + "\"createdAt\":{\"type\":\"string\",\"format\":\"date-time\"},"
                + "\"nextFireTimes\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"format\":\"date-time\"}}}}";
    }
}
