package dev.millrace.server;

import dev.millrace.JobId;
import dev.millrace.Millrace;
import dev.millrace.TenantId;
import dev.millrace.testing.Db;
import dev.millrace.testing.TestDatabase;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The server is stopped and started again on the same store and port while clients keep enqueueing over HTTP:
 * every enqueue answered 201 is in the store afterwards.
 */
class RestartTest extends ServerTest {
    private static final int CLIENTS = 4;
    private static final int BEFORE_RESTART = 300;
    private static final int TOTAL = 800;

    @TempDir
    Path dataDir;

    @ParameterizedTest
    @EnumSource(Db.class)
    void restartMidLoadLosesNoAcceptedEnqueue(Db db) throws Exception {
        Map<String, String> settings = new HashMap<>(Map.of("server.port", "0", "server.host", "127.0.0.1",
                "admin.key", ADMIN, "store.data-dir", dataDir.toString(), "jobs.classes", Note.class.getName(),
                "node.workers", "2"));
        if (db == Db.POSTGRES) {
            TestDatabase pg = database(db);
            settings.put("store.jdbc-url", pg.jdbcUrl());
            settings.put("store.user", TestDatabase.PG_USER);
            settings.put("store.schema", pg.schema());
        }
        MillraceServer first = MillraceServer.builder(ServerConfig.load(null, Map.of(), settings)).start();
        String key = tenantWithKey(first, "acme");
        int port = first.port();
        String base = first.url();
        settings.put("server.port", Integer.toString(port));

        Set<String> accepted = ConcurrentHashMap.newKeySet();
        AtomicInteger refused = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        List<Future<?>> clients = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        for (int c = 0; c < CLIENTS; c++) {
            clients.add(pool.submit(() -> {
                while (accepted.size() < TOTAL && System.nanoTime() < deadline) {
                    HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/api/v1/jobs"))
                            .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + key)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"Note\",\"state\":{\"text\":\"r\"}}"))
                            .build();
                    try {
                        HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
                        if (res.statusCode() == 201) accepted.add(JSON.readTree(res.body()).get("id").asText());
                        else refused.incrementAndGet();
                    } catch (IOException e) {
                        // Down for the restart, or cut mid-request: not accepted, so nothing is owed.
                        refused.incrementAndGet();
                        sleepBriefly();
                    }
                }
                return null;
            }));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> accepted.size() >= BEFORE_RESTART);
        first.close();
        MillraceServer second = closeAfter(MillraceServer.builder(ServerConfig.load(null, Map.of(), settings)).start());
        for (Future<?> f : clients) f.get(150, TimeUnit.SECONDS);
        pool.shutdown();

        assertThat(accepted).hasSizeGreaterThanOrEqualTo(TOTAL);
        Millrace node = second.millrace();
        List<String> missing = accepted.stream()
                .filter(id -> node.jobs().find(TenantId.of("acme"), JobId.of(id)).isEmpty()).toList();
        assertThat(missing).as("accepted enqueues missing after the restart (%d refused or cut)", refused.get()).isEmpty();
        // And they run: the second node finishes what the first left queued.
        await().atMost(Duration.ofSeconds(120)).until(() -> node.jobs().countByStatus(
                dev.millrace.JobQuery.forTenant(TenantId.of("acme")).build())
                .getOrDefault(dev.millrace.JobStatus.COMPLETED, 0L) >= accepted.size());
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(20);   // a client's back-off between connection attempts, not a wait for a condition
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
