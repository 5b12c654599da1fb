package dev.millrace.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code millrace keys …}: API keys of tenants, with the admin key. */
@Command(name = "keys", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Lists, creates and revokes a tenant's API keys (needs the admin key).",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {KeysCommand.List.class, KeysCommand.Create.class, KeysCommand.Revoke.class},
        footer = {"", "Exit codes: 0 done; 1 no answer or server error; 2 invalid; 3 no such tenant or key;"
                + " 4 bad key."})
public final class KeysCommand implements Runnable {
    /** Creates the command; picocli fills in its options. */
    public KeysCommand() {
    }

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: expected list, create or revoke");
    }

    /** {@code keys list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists a tenant's keys (never their secrets).")
    static final class List extends ClientCommand {
        @Parameters(paramLabel = "TENANT", description = "The tenant's id.")
        String tenant;

        @Override
        int run(ApiClient api) {
            JsonNode res = api.get("/api/v1/tenants/" + ApiClient.encode(tenant) + "/keys");
            StringBuilder text = new StringBuilder();
            for (JsonNode k : res.get("items")) {
                text.append(String.format(java.util.Locale.ROOT, "%s  %-8s  %s  %s%n", k.get("id").asText(),
                        k.get("active").asBoolean() ? "active" : "revoked", text(k, "createdAt"), text(k, "label")));
            }
            if (res.get("items").isEmpty()) text.append("No keys.\n");
            print(res, text.toString());
            return 0;
        }
    }

    /** {@code keys create}. */
    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Issues a key for a tenant and prints it: the only time it is shown.")
    static final class Create extends ClientCommand {
        @Parameters(paramLabel = "TENANT", description = "The tenant's id.")
        String tenant;
        @Option(names = "--label", paramLabel = "TEXT", description = "What the key is for.")
        String label;

        @Override
        int run(ApiClient api) {
            ObjectNode body = ApiClient.mapper().createObjectNode();
            if (label != null) body.put("label", label);
            JsonNode k = api.send("POST", "/api/v1/tenants/" + ApiClient.encode(tenant) + "/keys", body.toString());
            print(k, k.get("key").asText() + "\n");
            return 0;
        }
    }

    /** {@code keys revoke}. */
    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revokes a key: it stops working at once.")
    static final class Revoke extends ClientCommand {
        @Parameters(index = "0", paramLabel = "TENANT", description = "The tenant's id.")
        String tenant;
        @Parameters(index = "1", paramLabel = "KEY_ID", description = "The key's id (from 'keys list').")
        String keyId;

        @Override
        int run(ApiClient api) {
            api.send("DELETE", "/api/v1/tenants/" + ApiClient.encode(tenant) + "/keys/" + ApiClient.encode(keyId), null);
            JsonNode done = ApiClient.mapper().createObjectNode().put("revoked", keyId);
            print(done, "revoked " + keyId + "\n");
            return 0;
        }
    }
}
