package dev.millrace.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.millrace.server.Collect;
import dev.millrace.server.MillraceServer;
import dev.millrace.server.ServerTest;
import dev.millrace.testing.Db;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The schedules, flags and events commands against a real server: output, --json and exit codes. */
class FeatureCommandsTest extends ServerTest {

    private static ClientCommandsTest.Run as(MillraceServer server, String key, String... args) {
        return ClientCommandsTest.cli(Stream.concat(Stream.of(args), Stream.of("--url", server.url(), "--key", key))
                .toArray(String[]::new));
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void schedulesAreCreatedShownPausedResumedAndDeletedFromTheCommandLine(Db db) {
        MillraceServer server = server(db, false);
        String key = tenantWithKey(server, "acme");
        ClientCommandsTest.Run created = as(server, key, "schedules", "create", "nightly", "0 0 2 * * ?", "Tick",
                "--state", "{\"label\":\"n\"}", "--zone", "Europe/London", "--misfire", "skip");
        assertThat(created.exit()).as(created.err()).isZero();
        String id = created.out().trim();
        assertThat(as(server, key, "schedules", "list").out()).contains(id, "nightly", "WAITING", "Europe/London");
        assertThat(as(server, key, "schedules", "show", id, "--next", "2").out()).contains("next fires:", "misfirePolicy");
        assertThat(as(server, key, "schedules", "pause", id).out()).contains("PAUSED");
        assertThat(as(server, key, "schedules", "resume", id, "--json").json().get("state").asText()).isEqualTo("WAITING");
        assertThat(as(server, key, "schedules", "delete", id).exit()).isZero();
        assertThat(as(server, key, "schedules", "show", id).exit()).isEqualTo(ClientCommand.NOT_FOUND);

        ClientCommandsTest.Run bad = as(server, key, "schedules", "create", "x", "0 0 25 * * ?", "Tick");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).containsIgnoringCase("hour");
        ClientCommandsTest.Run next = as(server, key, "schedules", "next", "0 0 22 ? * 6L", "-n", "2");
        assertThat(next.exit()).as(next.err()).isZero();
        assertThat(next.out().lines()).hasSize(2).allMatch(l -> l.endsWith("T22:00:00Z"));
        assertThat(as(server, key, "schedules", "next", "0 0 12 ? * MON#6").exit()).isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void flagsAreSetAndListedAndEventsPublishedAndTailed(Db db) {
        MillraceServer server = server(db, false);
        String key = tenantWithKey(server, "acme");
        assertThat(as(server, key, "flags", "set", "newBilling", "on").out()).contains("newBilling on");
        assertThat(as(server, key, "flags", "list").out()).contains("newBilling", "on");
        assertThat(as(server, key, "flags", "set", "newBilling", "maybe").exit()).isEqualTo(2);
        assertThat(as(server, key, "flags", "set", "newBilling", "off").exit()).isZero();
        ClientCommandsTest.Run history = as(server, key, "flags", "history", "newBilling");
        assertThat(history.exit()).as(history.err()).isZero();
        assertThat(history.out().lines().toList()).hasSize(2);
        assertThat(history.out().lines().findFirst().orElseThrow()).contains("on   -> off");
        assertThat(history.out()).contains("new  -> on");
        assertThat(as(server, key, "flags", "history", "never").out()).contains("No changes of flag never.");

        call(server, "POST", "/api/v1/channels", key, "{\"name\":\"OrderPlaced\",\"fields\":[{\"name\":\"orderId\","
                + "\"type\":\"ID\",\"required\":true}]}");
        ClientCommandsTest.Run pub = as(server, key, "events", "publish", "OrderPlaced", "{\"orderId\":\"o-1\"}",
                "{\"orderId\":\"o-2\"}");
        assertThat(pub.exit()).as(pub.err()).isZero();
        assertThat(pub.out()).contains("replayId 1", "replayId 2");
        ClientCommandsTest.Run refused = as(server, key, "events", "publish", "OrderPlaced", "{}");
        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.out()).contains("REQUIRED_FIELD_MISSING", "orderId");
        assertThat(as(server, key, "events", "publish", "Nope", "{}").exit()).isEqualTo(ClientCommand.NOT_FOUND);

        ClientCommandsTest.Run tail = as(server, key, "events", "tail", "OrderPlaced", "--from", "earliest", "--count", "2");
        assertThat(tail.exit()).as(tail.err()).isZero();
        assertThat(tail.out()).contains("o-1", "o-2");
        ClientCommandsTest.Run json = as(server, key, "events", "tail", "OrderPlaced", "--from", "1", "--count", "1", "--json");
        JsonNode e = json.json();
        assertThat(e.get("replayId").asLong()).isEqualTo(2);
        assertThat(as(server, key, "events", "tail", "Nope").exit()).isEqualTo(ClientCommand.NOT_FOUND);

        // Three events were delivered; with an allocation of four, tail prints one more and fails naming it.
        server.millrace().events().putPolicy(dev.millrace.TenantId.of("acme"),
                dev.millrace.event.EventPolicy.DEFAULTS.withExternalDeliveriesPer24h(4));
        as(server, key, "events", "publish", "OrderPlaced", "{\"orderId\":\"o-3\"}");
        ClientCommandsTest.Run ended = as(server, key, "events", "tail", "OrderPlaced", "--from", "1");
        assertThat(ended.exit()).isEqualTo(1);
        assertThat(ended.out()).contains("o-2").doesNotContain("o-3");
        assertThat(ended.err()).contains("the stream ended", "externalDeliveriesPer24h");
        ClientCommandsTest.Run refusedTail = as(server, key, "events", "tail", "OrderPlaced", "--from", "2");
        assertThat(refusedTail.exit()).isEqualTo(1);
        assertThat(refusedTail.err()).contains("429", "externalDeliveriesPer24h");
        assertThat(as(server, key, "tenants", "usage").out()).contains("external deliveries (24 h) 4 of 4  (100 %)");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void batchWatchFollowsABatchToItsEndAndTheFlexQueueIsReordered(Db db) {
        MillraceServer server = server(db, true);
        String key = tenantWithKey(server, "acme");
        String id = server.millrace().executeBatch(dev.millrace.TenantId.of("acme"), new dev.millrace.server.Count(6, 4), 2)
                .value();
        ClientCommandsTest.Run watch = as(server, key, "batch", "watch", id, "--interval", "100", "--no-progress");
        assertThat(watch.exit()).as(watch.err()).isEqualTo(BatchCommand.BATCH_NOT_CLEAN);
        assertThat(watch.out()).contains("batch " + id + " COMPLETED", "3 chunks", "1 errors");
        assertThat(as(server, key, "batch", "errors", id).out()).contains("EXECUTE", "unlucky");
        String clean = server.millrace().executeBatch(dev.millrace.TenantId.of("acme"), new dev.millrace.server.Count(2, -1), 1)
                .value();
        JsonNode json = as(server, key, "batch", "watch", clean, "--interval", "100", "--json").json();
        assertThat(json.at("/job/status").asText()).isEqualTo("COMPLETED");
        assertThat(as(server, key, "batch", "queue").out()).contains("The flex queue is empty.");
        assertThat(as(server, key, "batch", "move", clean, "0").exit()).isEqualTo(ClientCommand.CONFLICT);
        assertThat(as(server, key, "batch", "watch", "0193a5e2-7c1b-7d4e-9a4f-1c2d3e4f5a6b").exit())
                .isEqualTo(ClientCommand.NOT_FOUND);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void batchesAreSubmittedScheduledAndMovedInTheFlexQueueFromTheCommandLine(Db db) {
        MillraceServer server = server(db, false);
        String key = tenantWithKey(server, "acme");
        call(server, "PATCH", "/api/v1/tenants/acme", ADMIN, "{\"policy\":{\"maxActiveBatches\":1}}");
        ClientCommandsTest.Run first = as(server, key, "batch", "submit", "Count", "--state", "{\"items\":3}",
                "--scope", "2");
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(first.err()).isEmpty();
        String active = first.out().trim();
        ClientCommandsTest.Run held = as(server, key, "batch", "submit", "Count");
        assertThat(held.err()).contains("HOLDING");
        String a = held.out().trim();
        String b = as(server, key, "batch", "submit", "Count").out().trim();
        String c = as(server, key, "batch", "submit", "Count", "--json").json().get("id").asText();
        assertThat(as(server, key, "batch", "queue").out().lines()).hasSize(3);

        assertThat(as(server, key, "batch", "move", c, "--before", a).exit()).isZero();
        assertThat(queue(server)).containsExactly(c, a, b);
        assertThat(as(server, key, "batch", "move", c, "--end").exit()).isZero();
        assertThat(queue(server)).containsExactly(a, b, c);
        assertThat(as(server, key, "batch", "move", a, "--after", b).exit()).isZero();
        assertThat(queue(server)).containsExactly(b, a, c);
        assertThat(as(server, key, "batch", "move", c, "--front").exit()).isZero();
        assertThat(queue(server)).containsExactly(c, b, a);
        assertThat(as(server, key, "batch", "move", a, "--position", "1").exit()).isZero();
        assertThat(queue(server)).containsExactly(c, a, b);
        ClientCommandsTest.Run stay = as(server, key, "batch", "move", a, "1");
        assertThat(stay.out()).startsWith("batch " + a + " was already there");
        assertThat(as(server, key, "batch", "move", b).exit()).as("no target: the front").isZero();
        assertThat(queue(server)).containsExactly(b, c, a);
        ClientCommandsTest.Run two = as(server, key, "batch", "move", a, "--front", "--end");
        assertThat(two.exit()).isEqualTo(2);
        assertThat(two.err()).contains("give one target");
        assertThat(as(server, key, "batch", "move", a, "--after", active).exit()).isEqualTo(ClientCommand.CONFLICT);
        assertThat(as(server, key, "batch", "move", a, "--before", "0193a5e2-7c1b-7d4e-9a4f-1c2d3e4f5a6b").exit())
                .isEqualTo(ClientCommand.NOT_FOUND);
        assertThat(queue(server)).containsExactly(b, c, a);

        ClientCommandsTest.Run badScope = as(server, key, "batch", "submit", "Count", "--scope", "2001");
        assertThat(badScope.exit()).isEqualTo(2);
        assertThat(badScope.err()).contains("scope", "expected 1 to 2000");
        ClientCommandsTest.Run unknown = as(server, key, "batch", "submit", "Nope");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("expected one of Count");

        ClientCommandsTest.Run scheduled = as(server, key, "batch", "schedule", "count-later", "Count",
                "--minutes", "30", "--state", "{\"items\":2}");
        assertThat(scheduled.exit()).as(scheduled.err()).isZero();
        String scheduleId = scheduled.out().split(" ")[0];
        assertThat(scheduled.out()).contains("fires 20");
        assertThat(as(server, key, "schedules", "list").out()).contains(scheduleId, "count-later");
        assertThat(as(server, key, "batch", "schedule", "count-later", "Count", "--minutes", "30").exit())
                .isEqualTo(ClientCommand.CONFLICT);
        assertThat(as(server, key, "batch", "schedule", "other", "Count", "--minutes", "0").exit()).isEqualTo(2);
        assertThat(as(server, key, "batch", "schedule", "other", "Count").exit()).as("--minutes is required")
                .isEqualTo(2);
    }

    /** The flex queue of acme, front first. */
    private static java.util.List<String> queue(MillraceServer server) {
        return server.millrace().batches().flexQueue(dev.millrace.TenantId.of("acme")).stream()
                .map(dev.millrace.JobId::value).toList();
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void subscriptionsAreCreatedListedAndDeletedAndUsageAndSharesShown(Db db) {
        MillraceServer server = server(db, false);
        String key = tenantWithKey(server, "acme");
        call(server, "POST", "/api/v1/channels", key, "{\"name\":\"OrderPlaced\",\"fields\":[{\"name\":\"orderId\","
                + "\"type\":\"ID\",\"required\":true}]}");
        ClientCommandsTest.Run sub = as(server, key, "events", "subscribe", "billing", "OrderPlaced", "--handler",
                "Collect", "--batch-size", "50", "--from", "earliest", "--run-as", "billing-bot");
        assertThat(sub.exit()).as(sub.err()).isZero();
        assertThat(sub.out()).contains("created", "billing", "OrderPlaced", "ACTIVE", "run as billing-bot");
        assertThat(as(server, key, "events", "subscriptions").out()).contains("billing", "OrderPlaced", "lag",
                "run as billing-bot");
        ClientCommandsTest.Run blank = as(server, key, "events", "subscribe", "ship", "OrderPlaced", "--handler",
                "Collect", "--run-as", " ");
        assertThat(blank.exit()).isEqualTo(2);
        assertThat(blank.err()).contains("runAs", "not blank");
        ClientCommandsTest.Run unknown = as(server, key, "events", "subscribe", "ship", "OrderPlaced", "--handler", "Ship");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("'Ship' is not registered", Collect.class.getName());
        assertThat(as(server, key, "events", "subscribe", "billing", "OrderPlaced", "--handler", "Collect").exit())
                .isEqualTo(ClientCommand.CONFLICT);
        assertThat(as(server, key, "events", "unsubscribe", "billing").exit()).isZero();
        assertThat(as(server, key, "events", "unsubscribe", "billing").exit()).isEqualTo(ClientCommand.NOT_FOUND);

        enqueue(server, key, "{\"type\":\"Note\",\"state\":{\"text\":\"n\"}}");
        ClientCommandsTest.Run own = as(server, key, "tenants", "usage");
        assertThat(own.exit()).as(own.err()).isZero();
        assertThat(own.out()).contains("acme", "async executions (24 h)    1 of 250000", "channels                   1",
                "external deliveries (24 h) 0 of 50000");
        ClientCommandsTest.Run all = as(server, ADMIN, "tenants", "usage", "--json");
        assertThat(all.json().at("/items/0/usage/asyncExecutions").asLong()).isEqualTo(1);
        ClientCommandsTest.Run shares = as(server, ADMIN, "tenants", "shares");
        assertThat(shares.exit()).as(shares.err()).isZero();
        assertThat(shares.out()).contains("workers, governor NORMAL", "No job has run on this node yet.");
        assertThat(as(server, key, "tenants", "shares").exit()).isEqualTo(ClientCommand.UNAUTHORIZED);
    }
}
