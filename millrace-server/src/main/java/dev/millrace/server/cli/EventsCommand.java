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
        description = "Publishes events to a tenant's channel and follows a channel as it is published to.",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {EventsCommand.Publish.class, EventsCommand.Tail.class},
        footer = {"", "Exit codes: 0 done; 1 no answer or server error; 2 bad usage, invalid request, or an event"
                + " refused; 3 no such channel; 4 bad key."})
public final class EventsCommand implements Runnable {
    /** Creates the command; picocli fills in its options. */
    public EventsCommand() {
    }

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: expected publish or tail");
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
}
