package dev.millrace.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.millrace.Millrace;
import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Base of the server tests: a real server on a free port, on a real store (H2 or PostgreSQL), called over real
 * HTTP.
 */
public abstract class ServerTest extends DatabaseTest {
    /** The admin key of test servers. */
    protected static final String ADMIN = "test-admin-key-0123456789abcdef";
    protected static final ObjectMapper JSON = new ObjectMapper();
    protected final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** Settings of a test server: free port, loopback, the admin key, a small body limit. */
    protected static ServerConfig config(Path dataDir) {
        return ServerConfig.load(null, Map.of(), Map.of("server.port", "0", "server.host", "127.0.0.1",
                "admin.key", ADMIN, "store.data-dir", dataDir.toString(), "api.max-body-bytes", "65536"));
    }

    /**
     * A server on this test class's database, with {@link Note} enqueueable, {@link Tick} schedulable and
     * {@link Count} submittable as a batch; its node runs jobs when asked; closed after the test.
     */
    protected MillraceServer server(Db db, boolean runJobs) {
        Millrace node = builder(db).register(Note.class).register(Tick.class).register(Count.class).registerHandler(Collect.class).build();
        if (runJobs) node.start();
        return closeAfter(MillraceServer.builder(config(Path.of("target", "server-test")))
                .millrace(node, true).jobTypes(List.of(Note.class)).scheduleTypes(List.of(Tick.class))
                .batchTypes(List.of(Count.class)).metricsInterval(Duration.ofMillis(200)).start());
    }

    /** A response: status, body text, and the body as JSON when it is JSON. */
    protected record Response(int status, String body, String contentType) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    /** Sends a request with a bearer key (or none) and a JSON body (or none), plus extra headers. */
    protected Response call(MillraceServer server, String method, String path, String key, String body,
                            String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (key != null) b.header("Authorization", "Bearer " + key);
        if (body != null) b.header("Content-Type", "application/json");
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body(), r.headers().firstValue("Content-Type").orElse(""));
        } catch (IOException e) {
            throw new AssertionError(method + " " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Creates a tenant over the API and issues it a key; returns the key. */
    protected String tenantWithKey(MillraceServer server, String tenant) {
        Response created = call(server, "POST", "/api/v1/tenants", ADMIN, "{\"id\":\"" + tenant + "\"}");
        if (created.status() != 201) throw new AssertionError("create tenant: " + created);
        Response key = call(server, "POST", "/api/v1/tenants/" + tenant + "/keys", ADMIN, "{\"label\":\"test\"}");
        if (key.status() != 201) throw new AssertionError("issue key: " + key);
        return key.json().get("key").asText();
    }

    /** Creates a schedule of {@link Tick} over the API; returns its id. */
    protected String schedule(MillraceServer server, String key, String name, String cron) {
        Response r = call(server, "POST", "/api/v1/schedules", key, "{\"name\":\"" + name + "\",\"cron\":\"" + cron
                + "\",\"type\":\"Tick\",\"state\":{\"label\":\"" + name + "\"}}");
        if (r.status() != 201) throw new AssertionError("schedule: " + r);
        return r.json().get("id").asText();
    }

    /** Enqueues a note over the API; returns its id. */
    protected String enqueue(MillraceServer server, String key, String body) {
        Response r = call(server, "POST", "/api/v1/jobs", key, body);
        if (r.status() != 201) throw new AssertionError("enqueue: " + r);
        return r.json().get("id").asText();
    }
}
