package dev.millrace.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** {@code millrace jobs …}: list, show, abort and follow the jobs of a tenant over the REST API. */
@Command(name = "jobs", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Lists, shows, aborts and follows a tenant's jobs on a server.",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {JobsCommand.List.class, JobsCommand.Show.class, JobsCommand.Abort.class, JobsCommand.Tail.class,
                JobsCommand.Types.class},
        footer = {"", "Exit codes: 0 done; 1 no answer or server error; 2 bad usage or invalid request; 3 not found;"
                + " 4 bad key; 5 conflict (the job has ended)."})
public final class JobsCommand implements Runnable {
    /** Creates the command; picocli fills in its options. */
    public JobsCommand() {
    }

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: expected list, show, abort,"
                + " tail or types");
    }

    static String row(JsonNode j) {
        String cls = ClientCommand.text(j, "className");
        return String.format(java.util.Locale.ROOT, "%s  %-10s  %-9s  %s  %s%s", j.get("id").asText(),
                j.get("status").asText(), j.get("type").asText(), ClientCommand.text(j, "createdAt"),
                cls.substring(cls.lastIndexOf('.') + 1),
                j.hasNonNull("extendedStatus") ? "  " + j.get("extendedStatus").asText() : "");
    }

    /** {@code jobs list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Lists the tenant's jobs, newest first, a page at a time.")
    static final class List extends ClientCommand {
        @Option(names = "--status", paramLabel = "S[,S…]", description = "Only these statuses (QUEUED, FAILED, …).")
        String status;
        @Option(names = "--type", paramLabel = "T[,T…]", description = "Only these job types (QUEUEABLE, FUTURE, …).")
        String type;
        @Option(names = "--class", paramLabel = "NAME", description = "Only this class (full name).")
        String className;
        @Option(names = "--limit", paramLabel = "N", defaultValue = "50", description = "Page size, 1 to 1000 (default: ${DEFAULT-VALUE}).")
        int limit;
        @Option(names = "--after", paramLabel = "ID", description = "Continue after this job (a previous page's 'next').")
        String after;

        @Override
        int run(ApiClient api) {
            StringBuilder q = new StringBuilder("?limit=" + limit);
            if (status != null) q.append("&status=").append(ApiClient.encode(status));
            if (type != null) q.append("&type=").append(ApiClient.encode(type));
            if (className != null) q.append("&className=").append(ApiClient.encode(className));
            if (after != null) q.append("&after=").append(ApiClient.encode(after));
            JsonNode page = api.get("/api/v1/jobs" + q);
            StringBuilder text = new StringBuilder();
            for (JsonNode j : page.get("items")) text.append(row(j)).append('\n');
            if (page.get("items").isEmpty()) text.append("No jobs.\n");
            if (page.hasNonNull("next")) text.append("More: --after ").append(page.get("next").asText()).append('\n');
            print(page, text.toString());
            return 0;
        }
    }

    /** {@code jobs show}. */
    @Command(name = "show", mixinStandardHelpOptions = true, description = "Shows one job and its log.")
    static final class Show extends ClientCommand {
        @Parameters(paramLabel = "ID", description = "The job's id.")
        String id;

        @Override
        int run(ApiClient api) {
            JsonNode job = api.get("/api/v1/jobs/" + ApiClient.encode(id));
            JsonNode log = api.get("/api/v1/jobs/" + ApiClient.encode(id) + "/log").get("items");
            StringBuilder text = new StringBuilder();
            job.fields().forEachRemaining(e -> text.append(String.format(java.util.Locale.ROOT, "%-18s %s%n",
                    e.getKey(), e.getValue().isNull() ? "-" : e.getValue().asText())));
            text.append("log:").append(log.isEmpty() ? " (empty)" : "").append('\n');
            for (JsonNode l : log) {
                text.append("  ").append(text(l, "loggedAt")).append(' ').append(text(l, "level")).append(' ')
                        .append(text(l, "message")).append('\n');
            }
            var both = ApiClient.mapper().createObjectNode();
            both.set("job", job);
            both.set("log", log);
            print(both, text.toString());
            return 0;
        }
    }

    /** {@code jobs abort}. */
    @Command(name = "abort", mixinStandardHelpOptions = true,
            description = "Aborts a job that has not ended (exit code 5 when it has).")
    static final class Abort extends ClientCommand {
        @Parameters(paramLabel = "ID", description = "The job's id.")
        String id;

        @Override
        int run(ApiClient api) {
            JsonNode job = api.send("POST", "/api/v1/jobs/" + ApiClient.encode(id) + "/abort", null);
            print(job, "job " + id + ": " + job.get("status").asText()
                    + (job.get("status").asText().equals("ABORTED") ? "" : " (abort requested: it stops at its next"
                    + " checkAbort())") + "\n");
            return 0;
        }
    }

    /** {@code jobs tail}. */
    @Command(name = "tail", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Prints the tenant's new jobs and status changes as they happen, until Ctrl-C.")
    static final class Tail extends ClientCommand {
        @Option(names = "--interval", paramLabel = "MILLIS", defaultValue = "1000",
                description = "How often to ask the server, 100 to 60000 ms (default: ${DEFAULT-VALUE}).")
        long interval;
        @Option(names = "--polls", paramLabel = "N", defaultValue = "0",
                description = "Stop after this many polls (0: never; for scripts).")
        int polls;
        @Option(names = "--status", paramLabel = "S[,S…]", description = "Only these statuses.")
        String status;

        @Override
        int run(ApiClient api) {
            if (interval < 100 || interval > 60_000) throw new IllegalArgumentException("--interval " + interval
                    + " is out of range: expected 100 to 60000");
            Map<String, String> seen = new HashMap<>();
            String q = "/api/v1/jobs?limit=200" + (status == null ? "" : "&status=" + ApiClient.encode(status));
            for (int n = 0; polls == 0 || n < polls; n++) {
                ArrayNode items = (ArrayNode) api.get(q).get("items");
                for (int i = items.size() - 1; i >= 0; i--) {   // oldest first
                    JsonNode j = items.get(i);
                    String before = seen.put(j.get("id").asText(), j.get("status").asText());
                    if (!j.get("status").asText().equals(before)) {
                        out().println(options.json ? j.toString() : row(j));
                    }
                }
                out().flush();
                if (polls != 0 && n + 1 >= polls) break;
                try {
                    Thread.sleep(Duration.ofMillis(interval));   // the poll interval of a terminal tool
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            return 0;
        }
    }

    /** {@code jobs types}. */
    @Command(name = "types", mixinStandardHelpOptions = true, description = "Lists the job types the server can enqueue.")
    static final class Types extends ClientCommand {
        @Override
        int run(ApiClient api) {
            JsonNode res = api.get("/api/v1/job-types");
            StringBuilder text = new StringBuilder();
            for (JsonNode t : res.get("items")) {
                text.append(String.format(java.util.Locale.ROOT, "%-24s %s%n", t.get("name").asText(),
                        t.get("className").asText()));
            }
            print(res, text.toString());
            return 0;
        }
    }
}
