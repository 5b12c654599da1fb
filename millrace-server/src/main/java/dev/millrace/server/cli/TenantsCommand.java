package dev.millrace.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.Map;

/** {@code millrace tenants …}: tenants and their policies, with the admin key. */
@Command(name = "tenants", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Lists, shows, creates and changes tenants (needs the admin key).",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {TenantsCommand.List.class, TenantsCommand.Show.class, TenantsCommand.Create.class,
                TenantsCommand.Update.class, TenantsCommand.Usage.class, TenantsCommand.Shares.class},
        footer = {"", "Exit codes: 0 done; 1 no answer or server error; 2 invalid; 3 not found; 4 bad key;"
                + " 5 already exists."})
public final class TenantsCommand implements Runnable {
    /** Creates the command; picocli fills in its options. */
    public TenantsCommand() {
    }

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: expected list, show, create,"
                + " update, usage or shares");
    }

    static String describe(JsonNode t) {
        StringBuilder s = new StringBuilder(t.get("id").asText()).append('\n');
        t.get("policy").fields().forEachRemaining(e -> s.append(String.format(java.util.Locale.ROOT, "  %-32s %s%n",
                e.getKey(), e.getValue().asText())));
        return s.toString();
    }

    /** The policy object of --set keys; a dotted key (fairUsage.weight, asyncLimits.queries) sets a nested one. */
    static ObjectNode policy(Map<String, Long> set) {
        ObjectNode p = ApiClient.mapper().createObjectNode();
        if (set == null) return p;
        set.forEach((key, value) -> {
            String[] path = key.split("\\.");
            ObjectNode at = p;
            for (int i = 0; i < path.length - 1; i++) {
                at = at.get(path[i]) instanceof ObjectNode o ? o : at.putObject(path[i]);
            }
            at.put(path[path.length - 1], value);
        });
        return p;
    }

    /** Usage figures beside the allowances they count against. */
    private static final String[][] USAGE = {
        {"asyncExecutions", "dailyAsyncExecutions", "async executions (24 h)"},
        {"schedules", "maxSchedules", "schedules"},
        {"activeBatches", "maxActiveBatches", "active batches"},
        {"flexQueue", "flexQueueCapacity", "flex queue"},
        {"channels", null, "channels"},
        {"subscriptions", null, "subscriptions"},
        {"externalDeliveries", "externalDeliveriesPer24h", "external deliveries (24 h)"},
    };

    static String usage(String tenant, JsonNode usage, JsonNode allowances) {
        StringBuilder s = new StringBuilder(tenant).append('\n');
        for (String[] u : USAGE) {
            long used = usage.path(u[0]).asLong();
            String of = u[1] == null ? "" : " of " + allowances.path(u[1]).asLong();
            String pct = u[1] == null || allowances.path(u[1]).asLong() == 0 ? ""
                    : String.format(java.util.Locale.ROOT, "  (%.0f %%)", 100.0 * used / allowances.path(u[1]).asLong());
            s.append(String.format(java.util.Locale.ROOT, "  %-26s %s%s%s%n", u[2], used, of, pct));
        }
        return s.toString();
    }

    /** {@code tenants usage}. */
    @Command(name = "usage", mixinStandardHelpOptions = true,
            description = "Shows what tenants use of their allowances now: async executions in the rolling 24 hours,"
                    + " schedules, active batches, flex queue, channels, subscriptions, events delivered to external"
                    + " clients in the rolling 24 hours. With the admin key every tenant"
                    + " (or the one of --tenant); with a tenant's key its own.")
    static final class Usage extends ClientCommand {
        @Override
        int run(ApiClient api) {
            if (options.tenant == null) {
                try {
                    JsonNode res = api.get("/api/v1/usage");
                    StringBuilder text = new StringBuilder();
                    for (JsonNode t : res.get("items")) {
                        text.append(usage(t.get("tenant").asText(), t.get("usage"), t.get("allowances")));
                    }
                    if (res.get("items").isEmpty()) text.append("No tenants.\n");
                    print(res, text.toString());
                    return 0;
                } catch (ApiClient.ApiError e) {
                    if (e.status != 403) throw e;   // a tenant's key: its own usage below
                }
            }
            JsonNode res = api.get("/api/v1/limits");
            print(res, usage(res.get("tenant").asText(), res.get("usage"), res.get("allowances")));
            return 0;
        }
    }

    /** {@code tenants shares}. */
    @Command(name = "shares", mixinStandardHelpOptions = true,
            description = "Shows each tenant's share of the server node's worker time since it started, its running"
                    + " jobs, and per job type its starts, deferrals, fair-usage tier and thread cap (admin key).")
    static final class Shares extends ClientCommand {
        @Override
        int run(ApiClient api) {
            JsonNode res = api.get("/api/v1/shares");
            StringBuilder text = new StringBuilder(String.format(java.util.Locale.ROOT,
                    "node %s: %d workers, governor %s%n", res.get("node").asText(), res.get("workers").asInt(),
                    res.get("governor").asText()));
            text.append(String.format(java.util.Locale.ROOT, "%-20s %-10s %7s %10s %9s %8s %9s %5s %4s%n", "TENANT",
                    "TYPE", "SHARE", "WORKER S", "STARTED", "RUNNING", "DEFERRED", "TIER", "CAP"));
            for (JsonNode t : res.get("tenants")) {
                for (JsonNode l : t.get("lanes")) {
                    text.append(String.format(java.util.Locale.ROOT, "%-20s %-10s %6.1f%% %10.3f %9d %8d %9d %5d %4d%s%n",
                            t.get("tenant").asText(), l.get("type").asText(), 100 * l.get("share").asDouble(),
                            l.get("workerSeconds").asDouble(), l.get("started").asLong(), l.get("running").asInt(),
                            l.get("deferrals").asLong(), l.get("tier").asInt(), l.get("threadCap").asInt(),
                            l.get("dominating").asBoolean() ? "  dominating" : ""));
                }
            }
            if (res.get("tenants").isEmpty()) text.append("No job has run on this node yet.\n");
            print(res, text.toString());
            return 0;
        }
    }

    /** {@code tenants list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists every tenant.")
    static final class List extends ClientCommand {
        @Override
        int run(ApiClient api) {
            JsonNode res = api.get("/api/v1/tenants");
            StringBuilder text = new StringBuilder();
            for (JsonNode t : res.get("items")) text.append(t.get("id").asText()).append('\n');
            if (res.get("items").isEmpty()) text.append("No tenants.\n");
            print(res, text.toString());
            return 0;
        }
    }

    /** {@code tenants show}. */
    @Command(name = "show", mixinStandardHelpOptions = true, description = "Shows a tenant's policy.")
    static final class Show extends ClientCommand {
        @Parameters(paramLabel = "ID", description = "The tenant's id.")
        String id;

        @Override
        int run(ApiClient api) {
            JsonNode t = api.get("/api/v1/tenants/" + ApiClient.encode(id));
            print(t, describe(t));
            return 0;
        }
    }

    /** {@code tenants create}. */
    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Creates a tenant with the default policy, changed by --set KEY=N.")
    static final class Create extends ClientCommand {
        @Parameters(paramLabel = "ID", description = "The new tenant's id.")
        String id;
        @Option(names = "--set", paramLabel = "KEY=N",
                description = "A policy key and its value (repeatable); a dotted key sets a nested one:"
                + " fairUsage.weight=3, asyncLimits.queries=20, fairUsage.maxRunning.BATCH=2.")
        Map<String, Long> set;

        @Override
        int run(ApiClient api) {
            ObjectNode body = ApiClient.mapper().createObjectNode();
            body.put("id", id);
            if (set != null) body.set("policy", policy(set));
            JsonNode t = api.send("POST", "/api/v1/tenants", body.toString());
            print(t, describe(t));
            return 0;
        }
    }

    /** {@code tenants update}. */
    @Command(name = "update", mixinStandardHelpOptions = true,
            description = "Changes keys of a tenant's policy: --set maxDelayMinutes=5 --set jobRetentionDays=30.")
    static final class Update extends ClientCommand {
        @Parameters(paramLabel = "ID", description = "The tenant's id.")
        String id;
        @Option(names = "--set", paramLabel = "KEY=N", required = true,
                description = "A policy key and its value (repeatable); a dotted key sets a nested one:"
                + " fairUsage.weight=3, asyncLimits.queries=20, fairUsage.maxRunning.BATCH=2.")
        Map<String, Long> set;

        @Override
        int run(ApiClient api) {
            ObjectNode body = ApiClient.mapper().createObjectNode();
            body.set("policy", policy(set));
            JsonNode t = api.send("PATCH", "/api/v1/tenants/" + ApiClient.encode(id), body.toString());
            print(t, describe(t));
            return 0;
        }
    }
}
