package dev.millrace.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.time.Duration;
import java.util.Locale;

/** {@code millrace batch …}: follow a batch, read its errors, and order the flex queue over the REST API. */
@Command(name = "batch", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Follows a batch with a live progress bar, lists its errors, and shows and reorders the flex"
                + " queue.",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {BatchCommand.Watch.class, BatchCommand.Errors.class, BatchCommand.Queue.class,
                BatchCommand.Move.class},
        footer = {"", "Exit codes: 0 done; 1 no answer or server error; 2 bad usage or invalid request; 3 not found;"
                + " 4 bad key; 5 conflict (the batch is not in the flex queue); 6 (watch) the batch failed, was"
                + " aborted, or ended with chunk errors."})
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
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: expected watch, errors, queue"
                + " or move");
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
    @Command(name = "move", mixinStandardHelpOptions = true, description = "Moves a holding batch to a position of the"
            + " flex queue (0 is the front); exit code 5 when it is not in the queue.")
    static final class Move extends ClientCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "The batch's job id.")
        String id;
        @Parameters(index = "1", paramLabel = "POSITION", defaultValue = "0", description = "The new position"
                + " (default: ${DEFAULT-VALUE}, the front).")
        int position;

        @Override
        int run(ApiClient api) {
            JsonNode res = api.send("POST", "/api/v1/flex-queue/" + ApiClient.encode(id) + "/move",
                    "{\"position\":" + position + "}");
            print(res, queue(res));
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
