package dev.millrace.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small client of the REST API for the CLI: JSON in, JSON out, problems as {@link ApiError}. */
final class ApiClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;
    private final String key;
    private final String tenant;

    ApiClient(String base, String key, String tenant) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.key = key;
        this.tenant = tenant;
    }

    /** An answer the CLI cannot use: a problem from the server, or no answer at all (status 0). */
    static final class ApiError extends RuntimeException {
        final int status;
        final JsonNode problem;

        ApiError(int status, String message, JsonNode problem) {
            super(message);
            this.status = status;
            this.problem = problem;
        }
    }

    JsonNode get(String path) {
        return send("GET", path, null);
    }

    JsonNode send(String method, String path, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Accept", "application/json");
        if (key != null && !key.isBlank()) b.header("Authorization", "Bearer " + key);
        if (tenant != null && !tenant.isBlank()) b.header("Millrace-Tenant", tenant);
        if (body != null) b.header("Content-Type", "application/json");
        HttpResponse<String> res;
        try {
            res = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new ApiError(0, "cannot connect to " + base + ": is the server running? (set --url or MILLRACE_URL)", null);
        } catch (IOException e) {
            throw new ApiError(0, "no answer from " + base + ": " + e.getMessage(), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(0, "interrupted", null);
        }
        JsonNode node = null;
        if (!res.body().isEmpty()) {
            try {
                node = JSON.readTree(res.body());
            } catch (IOException e) {
                if (res.statusCode() < 300) throw new ApiError(res.statusCode(), "the server's answer is not JSON", null);
            }
        }
        if (res.statusCode() >= 300) {
            String detail = node != null && node.hasNonNull("detail") ? node.get("detail").asText() : res.body();
            throw new ApiError(res.statusCode(), res.statusCode() + " " + detail, node);
        }
        return node == null ? JSON.createObjectNode() : node;
    }

    /** Receives one Server-Sent Event: its id and its data. */
    interface EventSink {
        void accept(String id, String data);
    }

    /**
     * Follows a Server-Sent Events stream until the server ends it (or the process is stopped), handing each event
     * to the sink. Problems before the stream opens are thrown like {@link #send}'s.
     */
    void stream(String path, EventSink sink) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).GET()
                .header("Accept", "text/event-stream");
        if (key != null && !key.isBlank()) b.header("Authorization", "Bearer " + key);
        if (tenant != null && !tenant.isBlank()) b.header("Millrace-Tenant", tenant);
        HttpResponse<java.io.InputStream> res;
        try {
            res = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (ConnectException e) {
            throw new ApiError(0, "cannot connect to " + base + ": is the server running? (set --url or MILLRACE_URL)", null);
        } catch (IOException e) {
            throw new ApiError(0, "no answer from " + base + ": " + e.getMessage(), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(0, "interrupted", null);
        }
        try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(res.body(),
                java.nio.charset.StandardCharsets.UTF_8))) {
            if (res.statusCode() >= 300) {
                String body = r.lines().collect(java.util.stream.Collectors.joining("\n"));
                JsonNode node = null;
                try {
                    node = JSON.readTree(body);
                } catch (IOException ignored) {
                    // Not a problem document: the raw text says what happened.
                }
                String detail = node != null && node.hasNonNull("detail") ? node.get("detail").asText() : body;
                throw new ApiError(res.statusCode(), res.statusCode() + " " + detail, node);
            }
            String id = null;
            String type = null;
            StringBuilder data = new StringBuilder();
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isEmpty()) {
                    // The server ends a stream it cannot go on with by an error event (pruned events, an allocation
                    // used up): the command fails with its detail rather than printing it as an event.
                    if ("error".equals(type)) throw streamError(data.toString());
                    if (!data.isEmpty()) sink.accept(id, data.toString());
                    id = null;
                    type = null;
                    data.setLength(0);
                } else if (line.startsWith("event:")) {
                    type = line.substring(6).trim();
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).trim();
                } else if (line.startsWith("data:")) {
                    if (!data.isEmpty()) data.append('\n');
                    data.append(line.substring(5).trim());
                }
            }
        } catch (IOException e) {
            throw new ApiError(0, "the stream from " + base + " broke: " + e.getMessage(), null);
        }
    }

    /** The error an error event's data stands for: its status (0 when it names none) and detail. */
    private static ApiError streamError(String data) {
        JsonNode node = null;
        try {
            node = JSON.readTree(data);
        } catch (IOException ignored) {
            // Not JSON: the raw text says what happened.
        }
        String detail = node != null && node.hasNonNull("detail") ? node.get("detail").asText() : data;
        int status = node != null && node.has("status") ? node.get("status").asInt() : 0;
        return new ApiError(status, "the stream ended: " + detail, node);
    }

    static String encode(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
    }

    static String write(Object value) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode parse(String option, String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException(option + " is not valid JSON: " + e.getMessage().split("\n")[0]);
        }
    }

    static ObjectMapper mapper() {
        return JSON;
    }
}
