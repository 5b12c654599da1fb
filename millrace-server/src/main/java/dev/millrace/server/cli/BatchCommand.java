package dev.millrace.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.time.Duration;
import java.util.Locale;

/**
 * {@code millrace batch …}: submit or schedule a batch, follow it, read its errors, and order the flex queue over the
 * REST API.
 */
@Command(name = "batch", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Submits and schedules batches, follows a batch with a live progress bar, lists its errors, and"
                + " shows and reorders the flex queue.",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {BatchCommand.Submit.class, BatchCommand.Schedule.class, BatchCommand.Watch.class,
                BatchCommand.Errors.class, BatchCommand.Queue.class, BatchCommand.Move.class},
        footer = {"", "Exit codes: 0 done; 1 no answer or server error; 2 bad usage or invalid request; 3 not found;"
                + " 4 bad key; 5 conflict (the batch is not in the flex queue, the flex queue is full, a schedule name"
                + " is taken); 6 (watch) the batch failed, was aborted, or ended with chunk errors."})
public final class BatchCommand implements Runnable {
    /** Exit code of {@code batch watch} when the batch did not complete cleanly. */
    static final int BATCH_NOT_CLEAN = 6;

    /** Creates the command; picocli fills in its options. */
    public BatchCommand() {
    }

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: expected submit, schedule,"
                + " watch, errors, queue or move");
    }

    /** What a batch is submitted with, as {@code submit} and {@code schedule} take it: its state and its scope. */
    static final class BatchOptions {
        @Option(names = "--state", paramLabel = "JSON",
                description = "The batch's fields as a JSON object (default: {}).")
        String state;
        @Option(names = "--scope", paramLabel = "N", description = "Records per chunk, 1 to 2000 (default: 200).")
        Integer scope;

        /** The body of a batch: its type, its state when given, its scope when given. */
        ObjectNode body(String type) {
            ObjectNode body = ApiClient.mapper().createObjectNode();
            body.put("type", type);
            if (state != null) {
                JsonNode s = ApiClient.parse("--state", state);
                if (!s.isObject()) {
                    throw new IllegalArgumentException("--state must be a JSON object, such as {\"id\":42}");
                }
                body.set("state", s);
            }
            if (scope != null) body.put("scope", scope);
            return body;
        }
    }

    /** {@code batch submit}. */
    @Command(name = "submit", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Submits a batch of a registered batch class with its state; prints the batch's job id"
                    + " (and says on standard error when it waits HOLDING in the flex queue).",
                    "Example: millrace batch submit CloseInvoices --state '{\"period\":\"2026-10\"}' --scope 500"})
    static final class Submit extends ClientCommand {
        @Parameters(index = "0", paramLabel = "TYPE", description = "The batch class (a short or full class name; see"
                + " GET /api/v1/batch-types).")
        String type;
        @Mixin
        BatchOptions batch;

        @Override
        int run(ApiClient api) {
            JsonNode res = api.send("POST", "/api/v1/batches", batch.body(type).toString());
            String id = res.get("id").asText();
            if (!options.json && "HOLDING".equals(ClientCommand.text(res, "status"))) {
                spec.commandLine().getErr().println("batch " + id + " waits HOLDING at the end of the flex queue: the"
                        + " tenant runs as many batches as its policy allows (see 'millrace batch queue')");
                spec.commandLine().getErr().flush();
            }
            print(res, id + "\n");
            return 0;
        }
    }

    /** {@code batch schedule}. */
    @Command(name = "schedule", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Schedules a batch of a registered batch class to be submitted once, minutes from now (a"
                    + " one-shot schedule, listed by 'millrace schedules list'); prints the schedule's id.",
                    "Example: millrace batch schedule close-tonight CloseInvoices --minutes 120 --scope 500"})
    static final class Schedule extends ClientCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "The schedule's name, unique in the tenant.")
        String name;
        @Parameters(index = "1", paramLabel = "TYPE", description = "The batch class (a short or full class name).")
        String type;
        @Option(names = "--minutes", paramLabel = "N", required = true,
                description = "Submit it this many minutes from now, at least 1.")
        long minutes;
        @Mixin
        BatchOptions batch;

        @Override
        int run(ApiClient api) {
            ObjectNode body = batch.body(type);
            body.put("name", name).put("minutes", minutes);
            JsonNode s = api.send("POST", "/api/v1/batches/schedule", body.toString());
            print(s, s.get("id").asText() + "  fires " + ClientCommand.text(s, "nextFireTime") + "\n");
            return 0;
        }
    }

    /** {@code batch watch}. */
    @Command(name = "watch", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Shows a batch's progress live until it ends, then its summary (exit code 6 when it failed,"
                    + " was aborted or had chunk errors).")
    static final class Watch extends ClientCommand {
        @Parameters(paramLabel = "ID", description = "The batch's job id.")
        String id;
        @Option(names = "--interval", paramLabel = "MILLIS", defaultValue = "1000",
                description = "How often to ask the server, 100 to 60000 ms (default: ${DEFAULT-VALUE}).")
        long interval;
        @Option(names = "--no-progress", description = "Print no progress bar, only the summary.")
        boolean noProgress;

        @Override
        int run(ApiClient api) {
            if (interval < 100 || interval > 60_000) throw new IllegalArgumentException("--interval " + interval
                    + " is out of range: expected 100 to 60000");
            String path = "/api/v1/batches/" + ApiClient.encode(id);
            ProgressBar bar = new ProgressBar(spec.commandLine().getErr(),
                    ProgressBar.modeFor(noProgress || options.json), Terminal.unicode(), "batch");
            long started = System.nanoTime();
            JsonNode b = api.get(path);
            while (!ended(b)) {
                JsonNode p = b.get("progress");
                bar.update(p.get("jobItemsProcessed").asLong(), Math.max(1, p.get("totalJobItems").asLong()),
                        detail(b), Duration.ofNanos(System.nanoTime() - started));
                try {
                    Thread.sleep(Duration.ofMillis(interval));   // the poll interval of a terminal tool
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    bar.abandon();
                    return 1;
                }
                b = api.get(path);
            }
            JsonNode p = b.get("progress");
            bar.finish(p.get("jobItemsProcessed").asLong(), Math.max(1, p.get("totalJobItems").asLong()), detail(b),
                    Duration.ofNanos(System.nanoTime() - started));
            String status = b.at("/job/status").asText();
            int errors = p.get("numberOfErrors").asInt();
            print(b, String.format(Locale.ROOT, "batch %s %s: %d of %d items, %d chunks, %d errors%n", id, status,
                    p.get("jobItemsProcessed").asLong(), p.get("totalJobItems").asLong(), p.get("chunks").asInt(), errors));
            return status.equals("COMPLETED") && errors == 0 ? 0 : BATCH_NOT_CLEAN;
        }

        private static boolean ended(JsonNode b) {
            String s = b.at("/job/status").asText();
            return s.equals("COMPLETED") || s.equals("FAILED") || s.equals("ABORTED");
        }

        private static String detail(JsonNode b) {
            return b.at("/job/status").asText() + ", " + b.at("/progress/numberOfErrors").asInt() + " errors";
        }
    }

    /** {@code batch errors}. */
    @Command(name = "errors", mixinStandardHelpOptions = true, description = "Lists a batch's errors, oldest first.")
    static final class Errors extends ClientCommand {
        @Parameters(paramLabel = "ID", description = "The batch's job id.")
        String id;

        @Override
        int run(ApiClient api) {
            JsonNode res = api.get("/api/v1/batches/" + ApiClient.encode(id) + "/errors");
            StringBuilder text = new StringBuilder();
            for (JsonNode e : res.get("items")) {
                text.append(String.format(Locale.ROOT, "%s  %-7s  %s: %s  records %s%n", text(e, "occurredAt"),
                        text(e, "phase"), text(e, "exceptionType"), text(e, "message"), e.get("failedRecordIds")));
            }
            if (res.get("items").isEmpty()) text.append("No errors.\n");
            print(res, text.toString());
            return 0;
        }
    }

    /** {@code batch queue}. */
    @Command(name = "queue", mixinStandardHelpOptions = true, description = "Shows the flex queue: holding batches,"
            + " front first.")
    static final class Queue extends ClientCommand {
        @Override
        int run(ApiClient api) {
            JsonNode res = api.get("/api/v1/flex-queue");
            print(res, queue(res));
            return 0;
        }
    }

    /** {@code batch move}. */
    @Command(name = "move", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Moves a holding batch within the flex queue: to a position (0 is the front), before or"
                    + " after another holding batch, to the front (the default) or to the end; prints the queue."
                    + " Exit code 5 when a batch is not in the queue.",
                    "Example: millrace batch move <id> --before <otherId>"})
    static final class Move extends ClientCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "The batch's job id.")
        String id;
        @Parameters(index = "1", paramLabel = "POSITION", arity = "0..1", description = "The new position, as"
                + " --position.")
        Integer positional;
        @Option(names = "--position", paramLabel = "N", description = "The new position: 0 is the front, past the end"
                + " is the end.")
        Integer position;
        @Option(names = "--before", paramLabel = "ID", description = "Just before this holding batch.")
        String before;
        @Option(names = "--after", paramLabel = "ID", description = "Just after this holding batch.")
        String after;
        @Option(names = "--front", description = "To the front (what a move without a target does).")
        boolean front;
        @Option(names = "--end", description = "To the end.")
        boolean end;

        @Override
        int run(ApiClient api) {
            ObjectNode body = ApiClient.mapper().createObjectNode();
            if (positional != null) body.put("position", positional);
            if (position != null) body.put("position", position);
            if (before != null) body.put("before", before);
            if (after != null) body.put("after", after);
            if (front) body.put("front", true);
            if (end) body.put("end", true);
            int given = (positional == null ? 0 : 1) + (position == null ? 0 : 1) + (before == null ? 0 : 1)
                    + (after == null ? 0 : 1) + (front ? 1 : 0) + (end ? 1 : 0);
            if (given > 1) {
                throw new IllegalArgumentException("give one target: POSITION, --position, --before, --after, --front"
                        + " or --end (" + given + " were given)");
            }
            if (given == 0) body.put("front", true);
            JsonNode res = api.send("POST", "/api/v1/flex-queue/" + ApiClient.encode(id) + "/move", body.toString());
            JsonNode moved = res.get("moved");
            boolean stayed = moved != null && !moved.asBoolean();
            print(res, (stayed ? "batch " + id + " was already there\n" : "") + queue(res));
            return 0;
        }
    }

    static String queue(JsonNode res) {
        StringBuilder text = new StringBuilder();
        for (JsonNode q : res.get("items")) {
            String cls = ClientCommand.text(q.get("job"), "className");
            text.append(String.format(Locale.ROOT, "%3d  %s  %s  %s%n", q.get("position").asInt(),
                    q.at("/job/id").asText(), ClientCommand.text(q.get("job"), "createdAt"),
                    cls.substring(cls.lastIndexOf('.') + 1)));
        }
        if (res.get("items").isEmpty()) text.append("The flex queue is empty.\n");
        return text.toString();
    }
}
