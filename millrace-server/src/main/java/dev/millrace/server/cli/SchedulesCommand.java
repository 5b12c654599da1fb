package dev.millrace.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.Locale;

/** {@code millrace schedules …}: a tenant's schedules over the REST API. */
@Command(name = "schedules", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Lists, shows, creates, pauses, resumes and deletes a tenant's schedules; checks cron expressions.",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {SchedulesCommand.List.class, SchedulesCommand.Show.class, SchedulesCommand.Create.class,
                SchedulesCommand.Pause.class, SchedulesCommand.Resume.class, SchedulesCommand.Delete.class,
                SchedulesCommand.Next.class},
        footer = {"", "Exit codes: 0 done; 1 no answer or server error; 2 bad usage or invalid request (a bad cron);"
                + " 3 not found; 4 bad key; 5 conflict (a name already used, or the tenant's maxSchedules reached)."})
public final class SchedulesCommand implements Runnable {
    /** Creates the command; picocli fills in its options. */
    public SchedulesCommand() {
    }

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: expected list, show, create,"
                + " pause, resume, delete or next");
    }

    static String row(JsonNode s) {
        return String.format(Locale.ROOT, "%s  %-24s  %-9s  %-22s  %-16s  next %s", s.get("id").asText(),
                s.get("name").asText(), s.get("state").asText(), s.get("cron").asText(), s.get("zone").asText(),
                ClientCommand.text(s, "nextFireTime"));
    }

    static String details(JsonNode s) {
        StringBuilder text = new StringBuilder();
        s.fields().forEachRemaining(e -> {
            if (!e.getKey().equals("nextFireTimes")) {
                text.append(String.format(Locale.ROOT, "%-15s %s%n", e.getKey(), e.getValue().isNull() ? "-"
                        : e.getValue().asText()));
            }
        });
        if (s.has("nextFireTimes")) {
            text.append("next fires:").append(s.get("nextFireTimes").isEmpty() ? " (none)" : "").append('\n');
            for (JsonNode t : s.get("nextFireTimes")) text.append("  ").append(t.asText()).append('\n');
        }
        return text.toString();
    }

    /** {@code schedules list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the tenant's schedules by name.")
    static final class List extends ClientCommand {
        @Override
        int run(ApiClient api) {
            JsonNode res = api.get("/api/v1/schedules");
            StringBuilder text = new StringBuilder();
            for (JsonNode s : res.get("items")) text.append(row(s)).append('\n');
            if (res.get("items").isEmpty()) text.append("No schedules.\n");
            print(res, text.toString());
            return 0;
        }
    }

    /** {@code schedules show}. */
    @Command(name = "show", mixinStandardHelpOptions = true, description = "Shows one schedule with its next fire times.")
    static final class Show extends ClientCommand {
        @Parameters(paramLabel = "ID", description = "The schedule's id.")
        String id;
        @Option(names = "--next", paramLabel = "N", defaultValue = "5", description = "How many next fire times, 0 to 100"
                + " (default: ${DEFAULT-VALUE}).")
        int next;

        @Override
        int run(ApiClient api) {
            JsonNode s = api.get("/api/v1/schedules/" + ApiClient.encode(id) + "?next=" + next);
            print(s, details(s));
            return 0;
        }
    }

    /** {@code schedules create}. */
    @Command(name = "create", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Schedules a registered schedulable (exit code 2 naming the cron field when the expression is"
                    + " bad).")
    static final class Create extends ClientCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "The schedule's name, unique in the tenant.")
        String name;
        @Parameters(index = "1", paramLabel = "CRON", description = "Seconds Minutes Hours Day_of_month Month"
                + " Day_of_week [Year], quoted: '0 0 2 * * ?'.")
        String cron;
        @Parameters(index = "2", paramLabel = "TYPE", description = "The schedulable's type (a short or full class name).")
        String type;
        @Option(names = "--state", paramLabel = "JSON", description = "The schedulable's fields as a JSON object.")
        String state;
        @Option(names = "--zone", paramLabel = "ZONE", description = "The time zone the expression is read in"
                + " (default: UTC).")
        String zone;
        @Option(names = "--misfire", paramLabel = "POLICY", description = "FIRE_ONCE (default) or SKIP.")
        String misfire;
        @Option(names = "--allow-overlap", description = "Fire even while the previous occurrence's job is active.")
        boolean allowOverlap;

        @Override
        int run(ApiClient api) {
            ObjectNode body = ApiClient.mapper().createObjectNode();
            body.put("name", name).put("cron", cron).put("type", type);
            if (state != null) body.set("state", ApiClient.parse("--state", state));
            if (zone != null) body.put("zone", zone);
            ObjectNode o = ApiClient.mapper().createObjectNode();
            if (misfire != null) o.put("misfirePolicy", misfire.toUpperCase(Locale.ROOT));
            if (allowOverlap) o.put("allowOverlap", true);
            if (!o.isEmpty()) body.set("options", o);
            JsonNode s = api.send("POST", "/api/v1/schedules", body.toString());
            print(s, options.json ? "" : s.get("id").asText() + "\n");
            return 0;
        }
    }

    /** {@code schedules pause}. */
    @Command(name = "pause", mixinStandardHelpOptions = true, description = "Pauses a schedule: it does not fire until"
            + " resumed.")
    static final class Pause extends ClientCommand {
        @Parameters(paramLabel = "ID", description = "The schedule's id.")
        String id;

        @Override
        int run(ApiClient api) {
            JsonNode s = api.send("POST", "/api/v1/schedules/" + ApiClient.encode(id) + "/pause", null);
            print(s, row(s) + "\n");
            return 0;
        }
    }

    /** {@code schedules resume}. */
    @Command(name = "resume", mixinStandardHelpOptions = true, description = "Resumes a paused schedule at its next fire"
            + " time after now.")
    static final class Resume extends ClientCommand {
        @Parameters(paramLabel = "ID", description = "The schedule's id.")
        String id;

        @Override
        int run(ApiClient api) {
            JsonNode s = api.send("POST", "/api/v1/schedules/" + ApiClient.encode(id) + "/resume", null);
            print(s, row(s) + "\n");
            return 0;
        }
    }

    /** {@code schedules delete}. */
    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Deletes a schedule: it never fires again.")
    static final class Delete extends ClientCommand {
        @Parameters(paramLabel = "ID", description = "The schedule's id.")
        String id;

        @Override
        int run(ApiClient api) {
            JsonNode res = api.send("DELETE", "/api/v1/schedules/" + ApiClient.encode(id), null);
            print(res, "schedule " + id + " deleted\n");
            return 0;
        }
    }

    /** {@code schedules next}. */
    @Command(name = "next", mixinStandardHelpOptions = true,
            description = "Checks a cron expression and prints its next fire times (exit code 2 naming the field when"
                    + " it is bad).")
    static final class Next extends ClientCommand {
        @Parameters(paramLabel = "CRON", description = "The expression, quoted: '0 0 22 ? * 6L'.")
        String cron;
        @Option(names = "--zone", paramLabel = "ZONE", description = "The time zone (default: UTC).")
        String zone;
        @Option(names = {"-n", "--count"}, paramLabel = "N", defaultValue = "5", description = "How many, 1 to 100"
                + " (default: ${DEFAULT-VALUE}).")
        int n;

        @Override
        int run(ApiClient api) {
            JsonNode res = api.get("/api/v1/cron/next?expression=" + ApiClient.encode(cron).replace("+", "%20") + "&n="
                    + n + (zone == null ? "" : "&zone=" + ApiClient.encode(zone)));
            StringBuilder text = new StringBuilder();
            for (JsonNode t : res.get("fireTimes")) text.append(t.asText()).append('\n');
            if (res.get("fireTimes").isEmpty()) text.append("No fire time left.\n");
            print(res, text.toString());
            return 0;
        }
    }
}
