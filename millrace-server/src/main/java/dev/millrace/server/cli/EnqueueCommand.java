package dev.millrace.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code millrace enqueue TYPE}: enqueues a job over the REST API and prints its id. */
@Command(name = "enqueue", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
        description = {"Enqueues a registered job type with its state; prints the new job's id.",
                "Example: millrace enqueue ExportLedger --state '{\"period\":\"2026-10\"}' --key $KEY"},
        footer = {"", "Exit codes: 0 enqueued; 1 no answer or server error; 2 refused as invalid; 3 unknown tenant;"
                + " 4 bad key; 5 duplicate signature."})
public final class EnqueueCommand extends ClientCommand {
    /** Creates the command; picocli fills in its options. */
    public EnqueueCommand() {
    }

    @Parameters(index = "0", paramLabel = "TYPE", description = "The job type (see 'millrace jobs types').")
    String type;

    @Option(names = "--state", paramLabel = "JSON", description = "The job's fields as a JSON object (default: {}).")
    String state;

    @Option(names = "--delay", paramLabel = "SECONDS", description = "Start no sooner than this many seconds from now.")
    Long delay;

    @Option(names = "--signature", paramLabel = "TEXT",
            description = "A duplicate signature: refused while another active job of the tenant has it.")
    String signature;

    @Override
    int run(ApiClient api) {
        ObjectNode body = ApiClient.mapper().createObjectNode();
        body.put("type", type);
        if (state != null) {
            JsonNode s = ApiClient.parse("--state", state);
            if (!s.isObject()) throw new IllegalArgumentException("--state must be a JSON object, such as {\"id\":42}");
            body.set("state", s);
        }
        ObjectNode opts = ApiClient.mapper().createObjectNode();
        if (delay != null) opts.put("delaySeconds", delay);
        if (signature != null) opts.put("duplicateSignature", signature);
        if (!opts.isEmpty()) body.set("options", opts);
        JsonNode res = api.send("POST", "/api/v1/jobs", body.toString());
        print(res, res.get("id").asText() + "\n");
        return 0;
    }
}
