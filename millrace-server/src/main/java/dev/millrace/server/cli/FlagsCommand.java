package dev.millrace.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.Locale;

/** {@code millrace flags …}: a tenant's feature flags over the REST API. */
@Command(name = "flags", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Lists and switches a tenant's feature flags and shows who changed them.",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {FlagsCommand.List.class, FlagsCommand.Set.class, FlagsCommand.History.class},
        footer = {"", "Exit codes: 0 done; 1 no answer or server error; 2 bad usage or invalid request; 4 bad key."})
public final class FlagsCommand implements Runnable {
    /** Creates the command; picocli fills in its options. */
    public FlagsCommand() {
    }

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: expected list, set or history");
    }

    /** {@code flags list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the tenant's flags that have a value"
            + " (a flag never set is off).")
    static final class List extends ClientCommand {
        @Override
        int run(ApiClient api) {
            JsonNode res = api.get("/api/v1/flags");
            StringBuilder text = new StringBuilder();
            for (JsonNode f : res.get("items")) {
                text.append(String.format(Locale.ROOT, "%-32s %s%n", f.get("name").asText(),
                        f.get("enabled").asBoolean() ? "on" : "off"));
            }
            if (res.get("items").isEmpty()) text.append("No flags.\n");
            print(res, text.toString());
            return 0;
        }
    }

    /** {@code flags set}. */
    @Command(name = "set", mixinStandardHelpOptions = true, description = "Switches a flag on or off; jobs bound to it"
            + " are held (off) or released (on).")
    static final class Set extends ClientCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "The flag's name.")
        String name;
        @Parameters(index = "1", paramLabel = "on|off", description = "on or off (also true or false).")
        String value;

        @Override
        int run(ApiClient api) {
            boolean on = switch (value.toLowerCase(Locale.ROOT)) {
                case "on", "true" -> true;
                case "off", "false" -> false;
                default -> throw new IllegalArgumentException("value '" + value + "' is not a switch: expected on or off");
            };
            JsonNode res = api.send("PUT", "/api/v1/flags/" + ApiClient.encode(name).replace("+", "%20"),
                    "{\"enabled\":" + on + "}");
            print(res, "flag " + name + " " + (on ? "on" : "off") + " (" + res.get("jobsMoved").asInt() + " jobs "
                    + (on ? "released" : "held") + ")\n");
            return 0;
        }
    }

    /** {@code flags history}. */
    @Command(name = "history", mixinStandardHelpOptions = true, description = "Shows a flag's audited changes, newest"
            + " first (at most 100): when, who, from what to what.")
    static final class History extends ClientCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "The flag's name.")
        String name;

        @Override
        int run(ApiClient api) {
            JsonNode res = api.get("/api/v1/flags/" + ApiClient.encode(name).replace("+", "%20") + "/history");
            StringBuilder text = new StringBuilder();
            for (JsonNode c : res.get("items")) {
                JsonNode old = c.get("oldValue");
                text.append(String.format(Locale.ROOT, "%-30s %-4s -> %-4s by %s%n", c.get("changedAt").asText(),
                        old == null || old.isNull() ? "new" : old.asBoolean() ? "on" : "off",
                        c.get("newValue").asBoolean() ? "on" : "off", c.get("changedBy").asText()));
            }
            if (res.get("items").isEmpty()) text.append("No changes of flag " + name + ".\n");
            print(res, text.toString());
            return 0;
        }
    }
}
