package dev.millrace.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.millrace.server.Main;
import dev.millrace.server.MillraceServer;
import dev.millrace.server.ServerTest;
import dev.millrace.testing.Db;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The CLI against a real server: what it prints, its --json, and its exit codes. */
class ClientCommandsTest extends ServerTest {

    record Run(int exit, String out, String err) {
        JsonNode json() {
            try {
                return JSON.readTree(out);
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + out + err, e);
            }
        }
    }

    static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private static Run as(MillraceServer server, String key, String... args) {
        return cli(Stream.concat(Stream.of(args), Stream.of("--url", server.url(), "--key", key)).toArray(String[]::new));
    }

    @ParameterizedTest
    @EnumSource(value = Db.class, names = "H2")
    void tenantsKeysEnqueueListShowAndAbortWithUsefulExitCodes(Db db) {
        MillraceServer server = server(db, false);
        Run created = as(server, ADMIN, "tenants", "create", "acme", "--set", "maxDelayMinutes=5");
        assertThat(created.exit()).as(created.err()).isZero();
        assertThat(created.out()).contains("maxDelayMinutes", "5");
        assertThat(as(server, ADMIN, "tenants", "create", "acme").exit()).isEqualTo(ClientCommand.CONFLICT);
        // Nested policy keys (limits, fair usage) are set with a dotted path.
        Run nested = as(server, ADMIN, "tenants", "update", "acme", "--set", "fairUsage.weight=3",
                "--set", "asyncLimits.queries=20", "--set", "fairUsage.maxRunning.BATCH=2", "--json");
        assertThat(nested.exit()).as(nested.err()).isZero();
        assertThat(nested.json().at("/policy/fairUsage/weight").asInt()).isEqualTo(3);
        assertThat(nested.json().at("/policy/fairUsage/maxRunning/BATCH").asInt()).isEqualTo(2);
        assertThat(nested.json().at("/policy/asyncLimits/queries").asLong()).isEqualTo(20);
        Run key = as(server, ADMIN, "keys", "create", "acme", "--label", "cli");
        assertThat(key.exit()).isZero();
        String k = key.out().trim();
        assertThat(k).startsWith("mr_");

        Run enq = as(server, k, "enqueue", "Note", "--state", "{\"text\":\"hi\"}", "--delay", "120");
        assertThat(enq.exit()).as(enq.err()).isZero();
        String id = enq.out().trim();
        Run list = as(server, k, "jobs", "list", "--json");
        assertThat(list.json().at("/items/0/id").asText()).isEqualTo(id);
        assertThat(as(server, k, "jobs", "list").out()).contains(id, "QUEUED", "Note");
        Run show = as(server, k, "jobs", "show", id);
        assertThat(show.out()).contains("status", "QUEUED", "log: (empty)");
        assertThat(as(server, k, "jobs", "abort", id).out()).contains("ABORTED");
        Run again = as(server, k, "jobs", "abort", id);
        assertThat(again.exit()).isEqualTo(ClientCommand.CONFLICT);
        assertThat(again.err()).contains("409", "has already ended");
        Run tail = as(server, k, "jobs", "tail", "--polls", "1", "--interval", "100");
        assertThat(tail.out()).contains(id, "ABORTED");

        assertThat(as(server, k, "jobs", "show", "0193a5e2-7c1b-7d4e-9a4f-1c2d3e4f5a6b").exit())
                .isEqualTo(ClientCommand.NOT_FOUND);
        assertThat(as(server, k, "tenants", "list").exit()).isEqualTo(ClientCommand.UNAUTHORIZED);
        assertThat(as(server, "mr_nope", "jobs", "list").exit()).isEqualTo(ClientCommand.UNAUTHORIZED);
        Run bad = as(server, k, "enqueue", "Note", "--state", "{\"times\":\"x\"}");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("state.times");
        assertThat(as(server, k, "enqueue", "Note", "--state", "{oops").exit()).isEqualTo(2);
        Run badJson = as(server, k, "enqueue", "Note", "--state", "{\"times\":\"x\"}", "--json");
        assertThat(badJson.json().get("field").asText()).isEqualTo("state.times");

        JsonNode keys = as(server, ADMIN, "keys", "list", "acme", "--json").json();
        String keyId = keys.at("/items/0/id").asText();
        assertThat(as(server, ADMIN, "keys", "revoke", "acme", keyId).exit()).isZero();
        assertThat(as(server, k, "jobs", "list").exit()).isEqualTo(ClientCommand.UNAUTHORIZED);
        assertThat(as(server, ADMIN, "jobs", "list", "--tenant", "acme").out()).contains(id);
    }

    @Test
    void noServerMeansExitOneWithAMessageSayingSo() {
        Run r = cli("jobs", "list", "--url", "http://127.0.0.1:1", "--key", "x");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("cannot connect to http://127.0.0.1:1");
    }

    @Test
    void everyCommandHasHelpWithADescription() {
        List<String> missing = new ArrayList<>();
        walk(Main.commandLine(), missing);
        assertThat(missing).isEmpty();
    }

    private static void walk(CommandLine cl, List<String> missing) {
        String name = cl.getCommandSpec().qualifiedName();
        if (!name.endsWith("help")) {
            String[] args = Stream.concat(Stream.of(name.split(" ")).skip(1), Stream.of("--help")).toArray(String[]::new);
            Run help = cli(args);
            if (help.exit() != 0 || !help.out().contains("Usage: " + name)
                    || cl.getCommandSpec().usageMessage().description().length == 0) {
                missing.add(name + ": " + help.exit() + " " + help.out() + help.err());
            }
        }
        cl.getSubcommands().values().forEach(c -> walk(c, missing));
    }
}
