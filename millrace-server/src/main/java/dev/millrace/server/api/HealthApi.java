package dev.millrace.server.api;

import dev.millrace.Millrace;
import dev.millrace.server.http.Access;
import dev.millrace.server.http.ApiModule;
import dev.millrace.server.http.Json;
import dev.millrace.server.http.Route;
import io.javalin.http.HandlerType;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Liveness and readiness (the store answers), public for orchestrators; Prometheus metrics with the admin key
 * (they name tenants), which Prometheus sends as {@code authorization: credentials}.
 */
public final class HealthApi implements ApiModule {
    private static final String HEALTH = "{\"type\":\"object\",\"required\":[\"status\"],\"properties\":{\"status\":"
            + "{\"type\":\"string\",\"enum\":[\"UP\",\"DOWN\"]},\"checks\":{\"type\":\"object\","
            + "\"additionalProperties\":{\"type\":\"string\"}}}}";
    private final Millrace millrace;
    private final PrometheusMeterRegistry registry;

    /** Health of this node and store; metrics from this registry. */
    public HealthApi(Millrace millrace, PrometheusMeterRegistry registry) {
        this.millrace = millrace;
        this.registry = registry;
    }

    @Override
    public List<Route> routes() {
        return List.of(
                Route.of(HandlerType.GET, "/health/live", Access.PUBLIC).operationId("live")
                        .summary("Liveness: the process answers HTTP.").response(200, HEALTH)
                        .handle(ctx -> ctx.json(Map.of("status", "UP"))),
                Route.of(HandlerType.GET, "/health/ready", Access.PUBLIC).operationId("ready")
                        .summary("Readiness: the store answers a query; 503 when it does not.").response(200, HEALTH)
                        .handle(ctx -> {
                            Map<String, Object> body = new LinkedHashMap<>();
                            try {
                                millrace.monitoring().checkStore();
                                body.put("status", "UP");
                                body.put("checks", Map.of("store", "UP"));
                            } catch (RuntimeException e) {
                                body.put("status", "DOWN");
                                body.put("checks", Map.of("store", "DOWN: " + Json.oneLine(e)));
                                ctx.status(503);
                            }
                            ctx.json(body);
                        }),
                Route.of(HandlerType.GET, "/metrics", Access.ADMIN).operationId("metrics")
                        .summary("Prometheus metrics: jobs by tenant, type and status, queue depth, wait and run"
                                + " times, throughput, HTTP requests, JVM.")
                        .response(200, "{\"type\":\"string\"}").responseType("text/plain")
                        .handle(ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                                .result(registry.scrape())));
    }
}
