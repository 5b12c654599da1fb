package dev.millrace.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.Locale;

/** {@code millrace events …}: publish to a tenant's channel and follow it over the REST API. */
@Command(name = "events", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Publishes events to a tenant's channel, follows a channel as it is published to, and manages"
                + " subscriptions.",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {EventsCommand.Publish.class, EventsCommand.Tail.class, EventsCommand.Subscriptions.class,
                EventsCommand.Subscribe.class, EventsCommand.Unsubscribe.class, EventsCommand.Resume.class},
        footer = {"", "Exit codes: 0 done; 1 no answer or server error; 2 bad usage, invalid request, or an event"
                + " refused; 3 no such channel or subscription; 4 bad key; 5 subscription name taken."})
public final class EventsCommand implements Runnable {
    /** Creates the command; picocli fills in its options. */
    public EventsCommand() {
    }

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: expected publish, tail,"
                + " subscriptions, subscribe, unsubscribe or resume");
    }

    /** {@code events publish}. */
    @Command(name = "publish", mixinStandardHelpOptions = true,
            description = "Publishes events; prints one result per event (exit code 2 when any is refused).")
    static final class Publish extends ClientCommand {
        @Parameters(index = "0", paramLabel = "CHANNEL", description = "The channel's name.")
        String channel;
        @Parameters(index = "1..*", arity = "1..*", paramLabel = "EVENT",
                description = "An event as a JSON object of field values: '{\"orderId\":\"o-1\"}'; several for several"
                        + " events.")
        java.util.List<String> events;

        @Override
        int run(ApiClient api) {
            ArrayNode list = ApiClient.mapper().createArrayNode();
            for (String e : events) {
                JsonNode node = ApiClient.parse("EVENT", e);
                if (!node.isObject()) throw new IllegalArgumentException("EVENT " + e + " is not a JSON object: expected"
                        + " '{\"field\":value,…}'");
                list.add(node);
            }
            var body = ApiClient.mapper().createObjectNode();
            body.set("events", list);
            JsonNode res = api.send("POST", "/api/v1/channels/" + ApiClient.encode(channel).replace("+", "%20")
                    + "/events", body.toString());
            StringBuilder text = new StringBuilder();
            boolean refused = false;
            for (JsonNode r : res.get("items")) {
                if (r.hasNonNull("errorCode")) {
                    refused = true;
                    text.append(String.format(Locale.ROOT, "refused  %s  %s: %s%n", r.get("errorCode").asText(),
                            text(r, "field"), text(r, "message")));
                } else {
                    text.append(String.format(Locale.ROOT, "published  replayId %s  %s%n", text(r, "replayId"),
                            text(r, "eventUuid")));
                }
            }
            print(res, text.toString());
            return refused ? 2 : 0;
        }
    }

    /** {@code events tail}. */
    @Command(name = "tail", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Follows a channel (Server-Sent Events) and prints each event as it is published, until"
                    + " Ctrl-C.")
    static final class Tail extends ClientCommand {
        @Parameters(paramLabel = "CHANNEL", description = "The channel's name.")
        String channel;
        @Option(names = "--from", paramLabel = "FROM", defaultValue = "tip",
                description = "earliest, tip (default: only new events) or a replay id: events after it.")
        String from;
        @Option(names = "--count", paramLabel = "N", defaultValue = "0",
                description = "Stop after this many events (0: never; for scripts).")
        int count;

        @Override
        int run(ApiClient api) {
            if (count < 0) throw new IllegalArgumentException("--count " + count + " is out of range: expected 0 or more");
            String path = "/api/v1/channels/" + ApiClient.encode(channel).replace("+", "%20") + "/events/stream?from="
                    + ApiClient.encode(from) + (count > 0 ? "&limit=" + count : "");
            api.stream(path, (id, data) -> {
                if (options.json) {
                    out().println(data);
                } else {
                    JsonNode e = ApiClient.parse("event", data);
                    out().println(String.format(Locale.ROOT, "%6s  %s  %s", id, text(e, "publishedAt"),
                            e.get("fields")));
                }
                out().flush();
            });
            return 0;
        }
    }

    static String subscription(JsonNode s) {
        return String.format(Locale.ROOT, "%-24s %-24s %-9s checkpoint %s  lag %s  run as %s%s%n",
                s.get("name").asText(), s.get("channel").asText(), s.get("state").asText(),
                ClientCommand.text(s, "checkpoint"), ClientCommand.text(s, "lag"), ClientCommand.text(s, "runAs"),
                s.hasNonNull("lastError") ? "  last error: " + s.get("lastError").asText() : "");
    }

    /** {@code events subscriptions}. */
    @Command(name = "subscriptions", mixinStandardHelpOptions = true,
            description = "Lists the tenant's subscriptions: channel, state, checkpoint, lag, the identity the"
                    + " handler runs as, last error.")
    static final class Subscriptions extends ClientCommand {
        @Override
        int run(ApiClient api) {
            JsonNode res = api.get("/api/v1/subscriptions");
            StringBuilder text = new StringBuilder();
            for (JsonNode s : res.get("items")) text.append(subscription(s));
            if (res.get("items").isEmpty()) text.append("No subscriptions.\n");
            print(res, text.toString());
            return 0;
        }
    }

    /** {@code events subscribe}. */
    @Command(name = "subscribe", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Creates a subscription: the channel's events are delivered to an event handler class"
                    + " registered on the server (setting events.handler-classes).")
    static final class Subscribe extends ClientCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "The subscription's name.")
        String name;
        @Parameters(index = "1", paramLabel = "CHANNEL", description = "The channel's name.")
        String channel;
        @Option(names = "--handler", required = true, paramLabel = "CLASS",
                description = "The handler class, by full or simple name (the error lists the registered ones).")
        String handler;
        @Option(names = "--batch-size", paramLabel = "N", description = "Most events per delivery (default 2000).")
        Integer batchSize;
        @Option(names = "--partitions", paramLabel = "N", description = "Partitions, 1 to 10 (default 1).")
        Integer partitions;
        @Option(names = "--partition-key", paramLabel = "FIELD",
                description = "A required field of the channel whose value picks the partition (default: event UUID).")
        String partitionKey;
        @Option(names = "--from", paramLabel = "FROM", defaultValue = "tip",
                description = "Where it starts: tip (default), earliest, or a replay id.")
        String from;
        @Option(names = "--run-as", paramLabel = "IDENTITY",
                description = "The identity the handler runs as: in its context, its logs' MDC and as the author of"
                        + " what it audits (default automated-process).")
        String runAs;

        @Override
        int run(ApiClient api) {
            var body = ApiClient.mapper().createObjectNode();
            body.put("name", name);
            body.put("channel", channel);
            body.put("handler", handler);
            if (batchSize != null) body.put("batchSize", batchSize);
            if (partitions != null) body.put("partitions", partitions);
            if (partitionKey != null) body.put("partitionKey", partitionKey);
            body.put("from", from);
            if (runAs != null) body.put("runAs", runAs);
            JsonNode res = api.send("POST", "/api/v1/subscriptions", body.toString());
            print(res, "created  " + subscription(res));
            return 0;
        }
    }

    /** {@code events unsubscribe}. */
    @Command(name = "unsubscribe", mixinStandardHelpOptions = true,
            description = "Deletes a subscription and its checkpoints; the channel and its events stay.")
    static final class Unsubscribe extends ClientCommand {
        @Parameters(paramLabel = "NAME", description = "The subscription's name.")
        String name;

        @Override
        int run(ApiClient api) {
            api.send("DELETE", "/api/v1/subscriptions/" + ApiClient.encode(name).replace("+", "%20"), null);
            var res = ApiClient.mapper().createObjectNode().put("deleted", name);
            print(res, "deleted  " + name + "\n");
            return 0;
        }
    }

    /** {@code events resume}. */
    @Command(name = "resume", mixinStandardHelpOptions = true,
            description = "Resumes a suspended subscription from its checkpoint (the failed batch again) or the tip.")
    static final class Resume extends ClientCommand {
        @Parameters(paramLabel = "NAME", description = "The subscription's name.")
        String name;
        @Option(names = "--from", paramLabel = "FROM", defaultValue = "CHECKPOINT",
                description = "CHECKPOINT (default) or TIP (skips the events in between).")
        String from;

        @Override
        int run(ApiClient api) {
            var body = ApiClient.mapper().createObjectNode().put("from", from.toUpperCase(Locale.ROOT));
            JsonNode res = api.send("POST", "/api/v1/subscriptions/" + ApiClient.encode(name).replace("+", "%20")
                    + "/resume", body.toString());
            print(res, "resumed  " + subscription(res));
            return 0;
        }
    }
}
