package dev.millrace.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.millrace.Millrace;
import dev.millrace.TenantId;
import dev.millrace.event.ChannelDefinition;
import dev.millrace.event.DeliveryLimitException;
import dev.millrace.event.Event;
import dev.millrace.event.EventHandler;
import dev.millrace.event.EventReader;
import dev.millrace.event.EventRecord;
import dev.millrace.event.FieldDefinition;
import dev.millrace.event.FieldType;
import dev.millrace.event.PublishBehavior;
import dev.millrace.event.PublishResult;
import dev.millrace.event.ReplayFrom;
import dev.millrace.event.ReplayIdExpiredException;
import dev.millrace.event.ResumeFrom;
import dev.millrace.event.Subscription;
import dev.millrace.event.SubscriptionState;
import dev.millrace.event.SubscriptionStatus;
import dev.millrace.server.http.Access;
import dev.millrace.server.http.ApiModule;
import dev.millrace.server.http.Auth;
import dev.millrace.server.http.IdKind;
import dev.millrace.server.http.Json;
import dev.millrace.server.http.Problem;
import dev.millrace.server.http.Problems;
import dev.millrace.server.http.Route;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The event bus of the caller's tenant: declare and read channels, publish (one result per event), read events
 * from a replay id, the earliest or the tip, follow a channel as Server-Sent Events, and create, read, resume and
 * delete subscriptions. A subscription names its handler by class, and only a class registered on this node
 * ({@code Millrace.eventHandlers()}) is accepted, so a typo is a 400 now rather than a failing delivery later.
 */
public final class EventsApi implements ApiModule {
    /** The most events one publish request may carry. */
    public static final int MAX_PUBLISH = 1000;
    /** The most events one read returns. */
    public static final int MAX_READ = 1000;
    /** How often an idle stream sends a comment, so proxies and clients see it alive and a gone client is noticed. */
    static final Duration KEEP_ALIVE = Duration.ofSeconds(15);
    private static final String CHANNEL = "{\"$ref\":\"#/components/schemas/Channel\"}";
    private static final String SUBSCRIPTION = "{\"$ref\":\"#/components/schemas/Subscription\"}";
    private static final String EVENT = "{\"type\":\"object\",\"properties\":{\"channel\":{\"type\":\"string\"},"
            + "\"replayId\":{\"type\":\"integer\"},\"eventUuid\":{\"type\":\"string\",\"format\":\"uuid\"},"
            + "\"publishedAt\":{\"type\":\"string\",\"format\":\"date-time\"},\"fields\":{\"type\":\"object\"}}}";
    private static final String FROM = "{\"type\":\"string\"}";
    private static final String FROM_DESCRIPTION = "'earliest', 'tip' (default) or a replay id: events after it";
    private final Millrace millrace;
    private final long maxBody;
    private volatile boolean stopping;

    /** The bus of this node; bodies up to {@code maxBody} bytes. */
    public EventsApi(Millrace millrace, long maxBody) {
        this.millrace = millrace;
        this.maxBody = maxBody;
    }

    /**
     * Ends every open stream within a second (each at its next poll), so the server stops without waiting for
     * clients that keep following a channel; called before HTTP stops.
     */
    public void stopStreams() {
        stopping = true;
    }

    @Override
    public List<Route> routes() {
        return List.of(
                Route.of(HandlerType.POST, "/api/v1/channels", Access.TENANT).operationId("declareChannel")
                        .summary("Declares a channel, or replaces its fields, behaviour and retention (stored events"
                                + " are kept).")
                        .request(declareSchema(), "{\"name\":\"OrderPlaced\",\"fields\":[{\"name\":\"orderId\","
                                + "\"type\":\"ID\",\"required\":true},{\"name\":\"amount\",\"type\":\"NUMBER\"}],"
                                + "\"behavior\":\"AFTER_COMMIT\",\"retentionMinutes\":4320}")
                        .response(201, CHANNEL)
                        .handle(this::declare),
                Route.of(HandlerType.GET, "/api/v1/channels", Access.TENANT).operationId("listChannels")
                        .summary("The tenant's channels, by name.")
                        .response(200, Schemas.items(CHANNEL))
                        .handle(ctx -> {
                            Query.only(ctx);
                            TenantId tenant = Auth.principal(ctx).requireTenant();
                            ctx.json(Map.of("items", millrace.events().channels(tenant).stream()
                                    .map(c -> view(effective(tenant, c), null)).toList()));
                        }),
                Route.of(HandlerType.GET, "/api/v1/channels/{name}", Access.TENANT).operationId("getChannel")
                        .summary("One channel with the replay id of its last event.")
                        .pathParam("name", IdKind.CHANNEL, "the channel's name")
                        .response(200, CHANNEL)
                        .handle(ctx -> {
                            Query.only(ctx);
                            TenantId tenant = Auth.principal(ctx).requireTenant();
                            ChannelDefinition c = channel(ctx, tenant);
                            long last;
                            try (EventReader r = millrace.events().reader(tenant, c.name(), ReplayFrom.tip())) {
                                last = r.position();
                            }
                            ctx.json(view(effective(tenant, c), last));
                        }),
                Route.of(HandlerType.POST, "/api/v1/channels/{name}/events", Access.TENANT).operationId("publishEvents")
                        .summary("Publishes events, each an object of field values; one result per event, in order: a"
                                + " refused event names its field, the others are still published.")
                        .pathParam("name", IdKind.CHANNEL, "the channel's name")
                        .request("{\"type\":\"object\",\"required\":[\"events\"],\"additionalProperties\":false,"
                                + "\"properties\":{\"events\":{\"type\":\"array\",\"minItems\":1,\"maxItems\":"
                                + MAX_PUBLISH + ",\"items\":{\"type\":\"object\"}}}}",
                                "{\"events\":[{\"orderId\":\"o-1\",\"amount\":12.5}]}")
                        .response(200, Schemas.items("{\"type\":\"object\",\"properties\":{\"eventUuid\":{\"type\":"
                                + "[\"string\",\"null\"]},\"replayId\":{\"type\":[\"integer\",\"null\"]},\"errorCode\":"
                                + "{\"type\":[\"string\",\"null\"]},\"field\":{\"type\":[\"string\",\"null\"]},"
                                + "\"message\":{\"type\":[\"string\",\"null\"]}}}"))
                        .handle(this::publish),
                Route.of(HandlerType.GET, "/api/v1/channels/{name}/events", Access.TENANT).operationId("readEvents")
                        .summary("Events after a starting point, oldest first; pass 'position' as 'from' for the next"
                                + " page. 410 when events after 'from' were pruned. With a tenant's key the events"
                                + " count against its 24-hour external delivery allocation (event policy"
                                + " externalDeliveriesPer24h): 429 when it is used up, naming when it frees up.")
                        .pathParam("name", IdKind.CHANNEL, "the channel's name")
                        .queryParam("from", FROM, FROM_DESCRIPTION)
                        .queryParam("limit", "{\"type\":\"integer\",\"minimum\":1,\"maximum\":" + MAX_READ + "}",
                                "most events, default 100")
                        .response(200, "{\"type\":\"object\",\"required\":[\"items\",\"position\"],\"properties\":{"
                                + "\"items\":{\"type\":\"array\",\"items\":" + EVENT + "},\"position\":{\"type\":"
                                + "\"integer\"}}}")
                        .handle(this::read),
                Route.of(HandlerType.GET, "/api/v1/channels/{name}/events/stream", Access.TENANT)
                        .operationId("streamEvents")
                        .summary("Follows a channel as Server-Sent Events: each event is 'id: replayId', 'event:"
                                + " channel', 'data: the event as JSON'; a comment every 15 s while idle. Reconnect"
                                + " with Last-Event-ID (or from) to go on where it stopped. With a tenant's key the"
                                + " events count against its 24-hour external delivery allocation: 429 when it is"
                                + " used up at the start, otherwise an 'error' event naming it ends the stream.")
                        .pathParam("name", IdKind.CHANNEL, "the channel's name")
                        .queryParam("from", FROM, FROM_DESCRIPTION + "; the Last-Event-ID header wins")
                        .queryParam("limit", "{\"type\":\"integer\",\"minimum\":1}", "end the stream after this many"
                                + " events (default: never)")
                        .response(200, "{\"type\":\"string\"}")
                        .responseType("text/event-stream")
                        .handle(this::stream),
                Route.of(HandlerType.GET, "/api/v1/subscriptions", Access.TENANT).operationId("listSubscriptions")
                        .summary("The tenant's subscriptions with their status: checkpoint, lag, state, last error,"
                                + " retries (the worst partition's), and each partition's.")
                        .response(200, Schemas.items(SUBSCRIPTION))
                        .handle(ctx -> {
                            Query.only(ctx);
                            TenantId tenant = Auth.principal(ctx).requireTenant();
                            ctx.json(Map.of("items", subscriptions(millrace.events().subscriptions(tenant))));
                        }),
                Route.of(HandlerType.GET, "/api/v1/subscriptions/{name}", Access.TENANT).operationId("getSubscription")
                        .summary("One subscription with its status.")
                        .pathParam("name", IdKind.SUBSCRIPTION, "the subscription's name")
                        .response(200, SUBSCRIPTION)
                        .handle(ctx -> {
                            Query.only(ctx);
                            ctx.json(subscription(ctx));
                        }),
                Route.of(HandlerType.POST, "/api/v1/subscriptions/{name}/resume", Access.TENANT)
                        .operationId("resumeSubscription")
                        .summary("Resumes a suspended subscription from its checkpoint (the failed batch is delivered"
                                + " again) or from the tip (the events in between are skipped).")
                        .pathParam("name", IdKind.SUBSCRIPTION, "the subscription's name")
                        .request("{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{\"from\":"
                                + "{\"type\":\"string\",\"enum\":[\"CHECKPOINT\",\"TIP\"]}}}", "{\"from\":\"CHECKPOINT\"}")
                        .response(200, SUBSCRIPTION)
                        .handle(this::resume),
                Route.of(HandlerType.GET, "/api/v1/event-handlers", Access.TENANT).operationId("listEventHandlers")
                        .summary("The event handler classes registered on this node: the ones a new subscription may"
                                + " name. The same for every tenant (classes of the deployment, not data).")
                        .response(200, Schemas.items("{\"type\":\"object\",\"properties\":{\"name\":{\"type\":"
                                + "\"string\"},\"simpleName\":{\"type\":\"string\"}}}"))
                        .handle(ctx -> {
                            Query.only(ctx);
                            Auth.principal(ctx).requireTenant();
                            ctx.json(Map.of("items", millrace.eventHandlers().stream().distinct()
                                    .sorted(java.util.Comparator.comparing(Class::getName)).map(c -> Map.of("name",
                                            c.getName(), "simpleName", c.getSimpleName())).toList()));
                        }),
                Route.of(HandlerType.POST, "/api/v1/subscriptions", Access.TENANT).operationId("createSubscription")
                        .summary("Creates a subscription of a declared channel, delivered to an event handler class"
                                + " registered on the node (by its full or simple name); 409 when the name is taken.")
                        .request("{\"type\":\"object\",\"required\":[\"name\",\"channel\",\"handler\"],"
                                + "\"additionalProperties\":false,\"properties\":{\"name\":{\"type\":\"string\","
                                + "\"maxLength\":100},\"channel\":{\"type\":\"string\",\"maxLength\":100},\"handler\":"
                                + "{\"type\":\"string\",\"maxLength\":500},\"batchSize\":{\"type\":\"integer\","
                                + "\"minimum\":1,\"maximum\":" + Subscription.MAX_BATCH_SIZE + "},\"partitions\":{\"type\":"
                                + "\"integer\",\"minimum\":1,\"maximum\":" + Subscription.MAX_PARTITIONS + "},"
                                + "\"partitionKey\":{\"type\":\"string\"},\"from\":{\"type\":\"string\",\"description\":"
                                + "\"where it starts: " + FROM_DESCRIPTION + "\"},\"runAs\":{\"type\":\"string\","
                                + "\"maxLength\":" + Subscription.MAX_RUN_AS_LENGTH + ",\"description\":\"the identity"
                                + " its handler runs as (default " + Subscription.DEFAULT_RUN_AS + ")\"}}}",
                                "{\"name\":\"billing\",\"channel\":\"OrderPlaced\",\"handler\":\"BillOrders\","
                                        + "\"batchSize\":500,\"from\":\"tip\",\"runAs\":\"billing-bot\"}")
                        .response(201, SUBSCRIPTION)
                        .handle(this::createSubscription),
                Route.of(HandlerType.DELETE, "/api/v1/subscriptions/{name}", Access.TENANT)
                        .operationId("deleteSubscription")
                        .summary("Deletes a subscription and its checkpoints; the channel and its events stay.")
                        .pathParam("name", IdKind.SUBSCRIPTION, "the subscription's name")
                        .response(204, null)
                        .handle(ctx -> {
                            Query.only(ctx);
                            TenantId tenant = Auth.principal(ctx).requireTenant();
                            String name = (String) subscription(ctx).get("name");
                            millrace.events().unsubscribe(tenant, name);
                            ctx.status(204);
                        }));
    }

    private void createSubscription(Context ctx) {
        Query.only(ctx);
        TenantId tenant = Auth.principal(ctx).requireTenant();
        ObjectNode body = Json.readObject(ctx, maxBody);
        Json.onlyFields(body, "", "name", "channel", "handler", "batchSize", "partitions", "partitionKey", "from",
                "runAs");
        String name = Json.text(body, "", "name", true, 100);
        String channel = Json.text(body, "", "channel", true, 100);
        Class<? extends EventHandler> handler = handler(Json.text(body, "", "handler", true, 500));
        Long batchSize = Json.integer(body, "", "batchSize", 1, Subscription.MAX_BATCH_SIZE);
        Long partitions = Json.integer(body, "", "partitions", 1, Subscription.MAX_PARTITIONS);
        String key = Json.text(body, "", "partitionKey", false, 100);
        ReplayFrom from = from(Json.text(body, "", "from", false, 40), "from");
        String runAs = Json.text(body, "", "runAs", false, Subscription.MAX_RUN_AS_LENGTH);
        Subscription s;
        try {
            s = Subscription.of(name, channel, handler);
        } catch (IllegalArgumentException e) {
            throw Problem.invalid("name", "subscription-name", e.getMessage());
        }
        if (batchSize != null) s = s.withBatchSize(batchSize.intValue());
        if (partitions != null || key != null) s = s.withPartitions(partitions == null ? 1 : partitions.intValue(), key);
        s = s.startingFrom(from);
        if (runAs != null) {
            try {
                s = s.withRunAs(runAs);
            } catch (IllegalArgumentException e) {
                throw Problem.invalid("runAs", "run-as", e.getMessage());
            }
        }
        if (exists(tenant, name)) {
            throw Problem.conflict("subscription-exists", "subscription '" + name + "' already exists in tenant '"
                    + tenant + "': expected a new name (DELETE /api/v1/subscriptions/" + name + " first to recreate it)");
        }
        try {
            millrace.events().subscribe(tenant, s);
        } catch (IllegalArgumentException e) {
            String m = e.getMessage() == null ? "" : e.getMessage();
            String field = m.startsWith("partition key") ? "partitionKey" : m.contains("names channel") ? "channel" : "";
            throw Problem.invalid(field, field.isEmpty() ? "subscription" : field.equals("channel") ? "declared-channel"
                    : "required-field", m);
        }
        ctx.status(201);
        ctx.json(subscriptions(millrace.events().status(tenant, name)).get(0));
    }

    private boolean exists(TenantId tenant, String name) {
        try {
            return !millrace.events().status(tenant, name).isEmpty();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The registered handler class a name means: its full name, or a simple name only one registered class has. */
    private Class<? extends EventHandler> handler(String name) {
        List<Class<? extends EventHandler>> registered = millrace.eventHandlers().stream().distinct().toList();
        List<Class<? extends EventHandler>> matches = registered.stream().filter(c -> c.getName().equals(name)).toList();
        if (matches.isEmpty()) matches = registered.stream().filter(c -> c.getSimpleName().equals(name)).toList();
        if (matches.size() == 1) return matches.get(0);
        String shown = name.length() > 200 ? name.substring(0, 200) + "…" : name;
        if (registered.isEmpty()) {
            throw Problem.invalid("handler", "registered-handler", "handler '" + shown + "' is not registered: this"
                    + " node has no event handler classes (setting events.handler-classes, or"
                    + " Millrace.Builder.registerHandler)");
        }
        throw Problem.invalid("handler", "registered-handler", "handler '" + shown + "' is "
                + (matches.isEmpty() ? "not registered" : "ambiguous") + ": expected one of " + registered.stream()
                .map(Class::getName).sorted().collect(Collectors.joining(", ")));
    }

    private void declare(Context ctx) {
        TenantId tenant = Auth.principal(ctx).requireTenant();
        ObjectNode body = Json.readObject(ctx, maxBody);
        Json.onlyFields(body, "", "name", "fields", "behavior", "retentionMinutes");
        String name = Json.text(body, "", "name", true, 100);
        ChannelDefinition c;
        try {
            c = ChannelDefinition.named(name);
        } catch (IllegalArgumentException e) {
            throw Problem.invalid("name", "channel-name", e.getMessage());
        }
        JsonNode fields = body.get("fields");
        if (fields != null && !fields.isNull()) {
            if (!fields.isArray()) throw Json.wrongType("fields", fields, "an array of {name, type, required}");
            if (fields.size() > ChannelDefinition.MAX_FIELDS) {
                throw Problem.invalid("fields", "max-items", "fields has " + fields.size() + " items: expected at most "
                        + ChannelDefinition.MAX_FIELDS);
            }
            int i = 0;
            for (JsonNode f : fields) {
                String where = "fields[" + i + "].";
                if (!f.isObject()) throw Json.wrongType("fields[" + i + "]", f, "an object {name, type, required}");
                ObjectNode o = (ObjectNode) f;
                Json.onlyFields(o, where, "name", "type", "required");
                String fieldName = Json.text(o, where, "name", true, 100);
                String type = Json.text(o, where, "type", true, 20);
                FieldType t;
                try {
                    t = FieldType.valueOf(type);
                } catch (IllegalArgumentException e) {
                    throw Problem.invalid(where + "type", "enum", where + "type '" + type + "' is unknown: expected "
                            + Arrays.stream(FieldType.values()).map(Enum::name).collect(Collectors.joining(", ")));
                }
                JsonNode required = o.get("required");
                if (required != null && !required.isNull() && !required.isBoolean()) {
                    throw Json.wrongType(where + "required", required, "true or false");
                }
                try {
                    c = c.field(fieldName, t, required != null && required.asBoolean());
                } catch (IllegalArgumentException e) {
                    throw Problem.invalid(where + "name", "field-name", e.getMessage());
                }
                i++;
            }
        }
        String behavior = Json.text(body, "", "behavior", false, 20);
        if (behavior != null) {
            try {
                c = c.withBehavior(PublishBehavior.valueOf(behavior));
            } catch (IllegalArgumentException e) {
                throw Problem.invalid("behavior", "enum", "behavior '" + behavior + "' is unknown: expected "
                        + Arrays.stream(PublishBehavior.values()).map(Enum::name).collect(Collectors.joining(" or ")));
            }
        }
        Long minutes = Json.integer(body, "", "retentionMinutes", 1, 366L * 24 * 60);
        if (minutes != null) c = c.withRetention(Duration.ofMinutes(minutes));
        if (millrace.tenants().policy(tenant).isEmpty()) {
            throw Problem.notFound("tenant '" + tenant + "' does not exist: expected an existing tenant");
        }
        try {
            millrace.events().declare(tenant, c);
        } catch (IllegalArgumentException e) {
            throw Problem.invalid("name", "channel-name", e.getMessage());
        }
        ctx.status(201).header("Location", "/api/v1/channels/" + c.name()).json(view(effective(tenant, c), null));
    }

    private void publish(Context ctx) {
        TenantId tenant = Auth.principal(ctx).requireTenant();
        // The body is read before the lookup, so a client still sending it gets the answer, not a reset.
        ObjectNode body = Json.readObject(ctx, maxBody);
        ChannelDefinition c = channel(ctx, tenant);
        Json.onlyFields(body, "", "events");
        JsonNode events = body.get("events");
        if (events == null || events.isNull()) {
            throw Problem.invalid("events", "required", "field 'events' is missing: expected an array of event objects");
        }
        if (!events.isArray()) throw Json.wrongType("events", events, "an array of event objects");
        if (events.isEmpty() || events.size() > MAX_PUBLISH) {
            throw Problem.invalid("events", "size", "events has " + events.size() + " items: expected 1 to " + MAX_PUBLISH);
        }
        List<Event> out = new ArrayList<>(events.size());
        int i = 0;
        for (JsonNode e : (ArrayNode) events) {
            if (!e.isObject()) throw Json.wrongType("events[" + i + "]", e, "an object of field values");
            Event event = Event.on(c.name());
            for (Iterator<Map.Entry<String, JsonNode>> it = e.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                event = event.with(f.getKey(), value(c, "events[" + i + "]." + f.getKey(), f.getKey(), f.getValue()));
            }
            out.add(event);
            i++;
        }
        List<PublishResult> results = millrace.events().publish(tenant, out);
        ctx.json(Map.of("items", results));
    }

    /** A JSON value as the Java value the bus takes for the field's type; a wrong one is left for the bus to refuse. */
    private static Object value(ChannelDefinition c, String where, String name, JsonNode v) {
        if (v.isNull()) return null;
        if (v.isContainerNode()) throw Json.wrongType(where, v, "a string, number or boolean");
        Optional<FieldDefinition> f = c.fieldNamed(name);
        if (f.isPresent() && f.get().type() == FieldType.DATE_TIME && v.isTextual()) {
            try {
                return OffsetDateTime.parse(v.textValue()).toInstant();
            } catch (DateTimeException e) {
                return v.textValue();
            }
        }
        if (v.isNumber()) return v.decimalValue();
        if (v.isBoolean()) return v.booleanValue();
        return v.asText();
    }

    private void read(Context ctx) {
        Query.only(ctx, "from", "limit");
        TenantId tenant = Auth.principal(ctx).requireTenant();
        ChannelDefinition c = channel(ctx, tenant);
        ReplayFrom from = from(Query.single(ctx, "from"), "from");
        int limit = Query.integer(ctx, "limit", 1, MAX_READ, 100);
        try (EventReader reader = reader(ctx, tenant, c, from)) {
            List<EventRecord> events;
            try {
                events = reader.poll(limit, Duration.ZERO);
            } catch (DeliveryLimitException e) {
                throw Problems.deliveryLimit(e);
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("items", events.stream().map(EventsApi::event).toList());
            out.put("position", reader.position());
            ctx.json(out);
        } catch (ReplayIdExpiredException e) {
            throw expired(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Problem.unavailable("the server is stopping: expected to be asked again");
        }
    }

    private void stream(Context ctx) {
        Query.only(ctx, "from", "limit");
        TenantId tenant = Auth.principal(ctx).requireTenant();
        ChannelDefinition c = channel(ctx, tenant);
        String lastEventId = ctx.header("Last-Event-ID");
        ReplayFrom from = lastEventId != null && !lastEventId.isBlank() ? from(lastEventId.trim(), "Last-Event-ID")
                : from(Query.single(ctx, "from"), "from");
        int limit = Query.integer(ctx, "limit", 1, Integer.MAX_VALUE, Integer.MAX_VALUE);
        EventReader reader = reader(ctx, tenant, c, from);
        try (reader) {
            // The events already there are read before the headers: a used-up allocation is then a plain 429, which
            // also stops an EventSource from reconnecting.
            List<EventRecord> first;
            try {
                first = reader.poll(Math.min(100, limit), Duration.ZERO);
            } catch (DeliveryLimitException e) {
                throw Problems.deliveryLimit(e);
            } catch (ReplayIdExpiredException e) {
                throw expired(e);
            }
            ctx.status(200).contentType("text/event-stream;charset=utf-8").header("Cache-Control", "no-cache")
                    .header("X-Accel-Buffering", "no");
            OutputStream out = ctx.res().getOutputStream();
            // A first comment commits the headers at once, so a client knows the stream is open before any event.
            write(out, ": channel " + c.name() + " from " + (first.isEmpty() ? reader.position()
                    : first.get(0).replayId() - 1) + "\n\n");
            int sent = 0;
            long idleSince = System.nanoTime();
            while (sent < limit && !stopping) {
                List<EventRecord> events;
                if (first != null) {
                    events = first;
                    first = null;
                } else {
                    try {
                        events = reader.poll(Math.min(100, limit - sent), Duration.ofSeconds(1));
                    } catch (ReplayIdExpiredException e) {
                        write(out, "event: error\ndata: " + Json.write(Map.of("detail", e.getMessage())) + "\n\n");
                        return;
                    } catch (DeliveryLimitException e) {
                        // The stream ends naming the allocation; the client reconnects with Last-Event-ID once it
                        // frees up, and gets the same events.
                        write(out, "event: error\ndata: " + Json.write(errorData(Problems.deliveryLimit(e))) + "\n\n");
                        return;
                    }
                }
                if (events.isEmpty()) {
                    if (System.nanoTime() - idleSince > KEEP_ALIVE.toNanos()) {
                        write(out, ": keep-alive\n\n");
                        idleSince = System.nanoTime();
                    }
                    continue;
                }
                StringBuilder b = new StringBuilder();
                for (EventRecord e : events) {
                    b.append("id: ").append(e.replayId()).append("\nevent: ").append(e.channel()).append("\ndata: ")
                            .append(Json.write(event(e))).append("\n\n");
                }
                write(out, b.toString());
                sent += events.size();
                idleSince = System.nanoTime();
            }
        } catch (IOException e) {
            // The client went away: the stream ends here.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** A problem as the data of a stream's error event: its members without the request's instance. */
    private static Map<String, Object> errorData(Problem p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", p.type());
        m.put("title", p.title());
        m.put("status", p.status());
        m.put("detail", p.detail());
        if (p.rule() != null) m.put("rule", p.rule());
        m.putAll(p.extensions());
        return m;
    }

    /**
     * A reader for the request: with a tenant's key, an external reader, whose events count against the tenant's
     * 24-hour delivery allocation (SPEC EVT-16); with the admin key (an operator, the dashboard) an uncounted one,
     * since an operator looking at a channel is not one of the tenant's clients.
     */
    private EventReader reader(Context ctx, TenantId tenant, ChannelDefinition c, ReplayFrom from) {
        try {
            return Auth.principal(ctx).admin() ? millrace.events().reader(tenant, c.name(), from)
                    : millrace.events().externalReader(tenant, c.name(), from);
        } catch (ReplayIdExpiredException e) {
            throw expired(e);
        } catch (IllegalArgumentException e) {
            throw Problem.notFound(e.getMessage());
        }
    }

    private static Problem expired(ReplayIdExpiredException e) {
        return Problem.of(410, "replay-id-expired", "Events were pruned", e.getMessage()
                + "; expected a later replay id, or from=earliest");
    }

    private static ReplayFrom from(String text, String field) {
        if (text == null || text.equalsIgnoreCase("tip")) return ReplayFrom.tip();
        if (text.equalsIgnoreCase("earliest")) return ReplayFrom.earliest();
        long id;
        try {
            id = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw Problem.invalid(field, "replay-from", field + " '" + (text.length() > 40 ? text.substring(0, 40) + "…"
                    : text) + "' is not a replay id: expected " + FROM_DESCRIPTION);
        }
        if (id < 0) {
            throw Problem.invalid(field, "replay-from", field + " " + id + " is negative: expected " + FROM_DESCRIPTION);
        }
        return ReplayFrom.after(id);
    }

    private void resume(Context ctx) {
        TenantId tenant = Auth.principal(ctx).requireTenant();
        ObjectNode body = Json.readObject(ctx, maxBody);
        Map<String, Object> sub = subscription(ctx);
        Json.onlyFields(body, "", "from");
        String from = Json.text(body, "", "from", false, 20);
        ResumeFrom r = ResumeFrom.CHECKPOINT;
        if (from != null) {
            try {
                r = ResumeFrom.valueOf(from);
            } catch (IllegalArgumentException e) {
                throw Problem.invalid("from", "enum", "from '" + from + "' is unknown: expected CHECKPOINT or TIP");
            }
        }
        String name = (String) sub.get("name");
        millrace.events().resume(tenant, name, r);
        ctx.json(subscriptions(millrace.events().status(tenant, name)).get(0));
    }

    /** The path's channel within the caller's tenant; any other name is 404. */
    private ChannelDefinition channel(Context ctx, TenantId tenant) {
        String name = ctx.pathParam("name");
        Optional<ChannelDefinition> c;
        try {
            c = millrace.events().channel(tenant, name);
        } catch (IllegalArgumentException e) {
            c = Optional.empty();
        }
        return c.orElseThrow(() -> Problem.notFound("channel '" + (name.length() > 100 ? name.substring(0, 100) + "…"
                : name) + "' does not exist in tenant '" + tenant + "': expected the name of one of its channels"));
    }

    private Map<String, Object> subscription(Context ctx) {
        TenantId tenant = Auth.principal(ctx).requireTenant();
        String name = ctx.pathParam("name");
        List<SubscriptionStatus> rows;
        try {
            rows = millrace.events().status(tenant, name);
        } catch (IllegalArgumentException e) {
            rows = List.of();
        }
        if (rows.isEmpty()) {
            throw Problem.notFound("subscription '" + (name.length() > 100 ? name.substring(0, 100) + "…" : name)
                    + "' does not exist in tenant '" + tenant + "': expected the name of one of its subscriptions");
        }
        return subscriptions(rows).get(0);
    }

    /**
     * Partition rows grouped by subscription: the subscription is SUSPENDED when a partition is, its checkpoint the
     * lowest, its lag, retries and last error the worst partition's.
     */
    static List<Map<String, Object>> subscriptions(List<SubscriptionStatus> rows) {
        Map<String, List<SubscriptionStatus>> byName = new LinkedHashMap<>();
        for (SubscriptionStatus s : rows) byName.computeIfAbsent(s.subscription(), k -> new ArrayList<>()).add(s);
        List<Map<String, Object>> out = new ArrayList<>();
        byName.forEach((name, parts) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", name);
            m.put("channel", parts.get(0).channel());
            m.put("runAs", parts.get(0).runAs());
            boolean suspended = parts.stream().anyMatch(p -> p.state() == SubscriptionState.SUSPENDED);
            m.put("state", suspended ? SubscriptionState.SUSPENDED.name() : SubscriptionState.ACTIVE.name());
            m.put("checkpoint", parts.stream().mapToLong(SubscriptionStatus::checkpoint).min().orElse(0));
            m.put("lag", parts.stream().mapToLong(SubscriptionStatus::lag).max().orElse(0));
            m.put("retries", parts.stream().mapToInt(SubscriptionStatus::retries).max().orElse(0));
            m.put("lastError", parts.stream().map(SubscriptionStatus::lastError).filter(e -> e != null).findFirst()
                    .orElse(null));
            m.put("partitions", parts.stream().map(p -> {
                Map<String, Object> pm = new LinkedHashMap<>();
                pm.put("partition", p.partition());
                pm.put("checkpoint", p.checkpoint());
                pm.put("lag", p.lag());
                pm.put("state", p.state().name());
                pm.put("lastError", p.lastError());
                pm.put("retries", p.retries());
                return pm;
            }).toList());
            out.add(m);
        });
        return out;
    }

    /** An event as JSON. */
    static Map<String, Object> event(EventRecord e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("channel", e.channel());
        m.put("replayId", e.replayId());
        m.put("eventUuid", e.eventUuid().toString());
        m.put("publishedAt", e.publishedAt());
        m.put("fields", e.fields());
        return m;
    }

    /** The channel with the retention in effect: its own, or the tenant's event policy's when it sets none. */
    private ChannelDefinition effective(TenantId tenant, ChannelDefinition c) {
        return c.retention() != null ? c
                : c.withRetention(Duration.ofHours(millrace.events().policy(tenant).retentionHours()));
    }

    static Map<String, Object> view(ChannelDefinition c, Long lastReplayId) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", c.name());
        m.put("fields", c.fields().stream().map(f -> {
            Map<String, Object> fm = new LinkedHashMap<>();
            fm.put("name", f.name());
            fm.put("type", f.type().name());
            fm.put("required", f.required());
            return fm;
        }).toList());
        m.put("behavior", c.behavior().name());
        m.put("retentionMinutes", c.retention().toMinutes());
        if (lastReplayId != null) m.put("lastReplayId", lastReplayId);
        return m;
    }

    private static String declareSchema() {
        return "{\"type\":\"object\",\"required\":[\"name\"],\"additionalProperties\":false,\"properties\":{"
                + "\"name\":{\"type\":\"string\",\"maxLength\":100},"
                + "\"fields\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"name\",\"type\"],"
                + "\"additionalProperties\":false,\"properties\":{\"name\":{\"type\":\"string\"},\"type\":{\"type\":"
                + "\"string\",\"enum\":[" + Arrays.stream(FieldType.values()).map(t -> "\"" + t + "\"")
                .collect(Collectors.joining(",")) + "]},\"required\":{\"type\":\"boolean\"}}}},"
                + "\"behavior\":{\"type\":\"string\",\"enum\":[\"AFTER_COMMIT\",\"IMMEDIATE\"]},"
                + "\"retentionMinutes\":{\"type\":\"integer\",\"minimum\":1}}}";
    }

    static String channelSchema() {
        return "{\"type\":\"object\",\"required\":[\"name\",\"fields\",\"behavior\",\"retentionMinutes\"],\"properties\":{"
                + "\"name\":{\"type\":\"string\"},\"fields\":{\"type\":\"array\",\"items\":{\"type\":\"object\"}},"
                + "\"behavior\":{\"type\":\"string\"},\"retentionMinutes\":{\"type\":\"integer\"},"
                + "\"lastReplayId\":{\"type\":\"integer\"}}}";
    }

    static String subscriptionSchema() {
        return "{\"type\":\"object\",\"required\":[\"name\",\"channel\",\"state\",\"checkpoint\",\"lag\"],\"properties\":{"
                + "\"name\":{\"type\":\"string\"},\"channel\":{\"type\":\"string\"},\"state\":{\"type\":\"string\","
                + "\"enum\":[\"ACTIVE\",\"SUSPENDED\"]},\"checkpoint\":{\"type\":\"integer\"},\"lag\":{\"type\":"
                + "\"integer\"},\"retries\":{\"type\":\"integer\"},\"lastError\":{\"type\":[\"string\",\"null\"]},"
                + "\"runAs\":{\"type\":\"string\",\"description\":\"the identity its handler runs as\"},"
                + "\"partitions\":{\"type\":\"array\",\"items\":{\"type\":\"object\"}}}}";
    }
}
