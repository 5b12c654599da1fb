package dev.millrace.server;

import dev.millrace.batch.Batchable;
import dev.millrace.Millrace;
import dev.millrace.Queueable;
import dev.millrace.schedule.Schedulable;
import dev.millrace.server.api.BatchTypes;
import dev.millrace.server.api.BatchesApi;
import dev.millrace.server.api.EventsApi;
import dev.millrace.server.api.FlagsApi;
import dev.millrace.server.api.HealthApi;
import dev.millrace.server.api.LimitsApi;
import dev.millrace.server.api.JobTypes;
import dev.millrace.server.api.JobsApi;
import dev.millrace.server.api.KeysApi;
import dev.millrace.server.api.OpenApiDocument;
import dev.millrace.server.api.ScheduleTypes;
import dev.millrace.server.api.SchedulesApi;
import dev.millrace.server.api.SharesApi;
import dev.millrace.server.api.StatsApi;
import dev.millrace.server.api.TenantsApi;
import dev.millrace.server.cli.VersionProvider;
import dev.millrace.server.dashboard.Dashboard;
import dev.millrace.server.http.Access;
import dev.millrace.server.http.ApiModule;
import dev.millrace.server.http.Auth;
import dev.millrace.server.http.Json;
import dev.millrace.server.http.Problem;
import dev.millrace.server.http.Problems;
import dev.millrace.server.http.Route;
import dev.millrace.server.metrics.ServerMetrics;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.HandlerType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The standalone server: a Millrace node plus the REST API, health, metrics and OpenAPI document on one HTTP
 * port (Javalin on Jetty 12). Every route comes from an {@link ApiModule}; a feature joins by adding its module
 * with {@link Builder#module}. The dashboard adds its pages and assets with {@link Builder#configure}.
 */
public final class MillraceServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MillraceServer.class);
    /** The path of the OpenAPI document. */
    public static final String OPENAPI_PATH = "/api/v1/openapi.json";

    private final Millrace millrace;
    private final boolean ownsMillrace;
    private final ServerMetrics metrics;
    private final Javalin app;
    private final List<Route> routes;
    private final ServerConfig config;
    private final EventsApi events;
    private boolean closed;

    private MillraceServer(Builder b, Millrace millrace, List<Route> routes, ServerMetrics metrics, Javalin app,
                           EventsApi events) {
        this.events = events;
        this.millrace = millrace;
        this.ownsMillrace = b.ownsMillrace;
        this.routes = routes;
        this.metrics = metrics;
        this.app = app;
        this.config = b.config;
    }

    /** A builder of a server with these settings. */
    public static Builder builder(ServerConfig config) {
        return new Builder(config);
    }

    /** The port it listens on. */
    public int port() {
        return app.port();
    }

    /** Its base URL on the loopback address, such as {@code http://127.0.0.1:8080}. */
    public String url() {
        String host = config.host().equals("0.0.0.0") || config.host().equals("::") ? "127.0.0.1" : config.host();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
    }

    /** The node behind it. */
    public Millrace millrace() {
        return millrace;
    }

    /** Every route it serves, in registration order: what the OpenAPI document and the tests walk. */
    public List<Route> routes() {
        return routes;
    }

    /** The metrics registry. */
    public ServerMetrics metrics() {
        return metrics;
    }

    /**
     * Ends open event streams, stops HTTP (no new requests), then the metrics, then the node if the server opened it.
     * Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        events.stopStreams();
        app.stop();
        metrics.close();
        if (ownsMillrace) millrace.close();
        LOG.info("Millrace server on port {} stopped", port());
    }

    /** Builds and starts a {@link MillraceServer}. */
    public static final class Builder {
        private final ServerConfig config;
        private Millrace millrace;
        private boolean ownsMillrace = true;
        private final List<Class<? extends Queueable>> jobTypes = new ArrayList<>();
        private final List<Class<? extends Schedulable>> scheduleTypes = new ArrayList<>();
        private final List<Class<? extends Batchable<?>>> batchTypes = new ArrayList<>();
        private final List<ApiModule> modules = new ArrayList<>();
        private final List<Consumer<JavalinConfig>> configurers = new ArrayList<>();
        private InstantSource clock = InstantSource.system();
        private Duration metricsInterval = ServerMetrics.DEFAULT_INTERVAL;

        private Builder(ServerConfig config) {
            this.config = Objects.requireNonNull(config, "config");
        }

        /**
         * Serves this node instead of one built from the settings; the caller registered its job classes (list
         * the enqueueable ones with {@link #jobTypes}) and started it if it should run jobs.
         *
         * @param owned whether closing the server closes the node
         */
        public Builder millrace(Millrace millrace, boolean owned) {
            this.millrace = Objects.requireNonNull(millrace, "millrace");
            this.ownsMillrace = owned;
            return this;
        }

        /** Queueable classes the REST API may enqueue (beyond jobs.classes). */
        public Builder jobTypes(List<Class<? extends Queueable>> types) {
            jobTypes.addAll(types);
            return this;
        }

        /** Schedulable classes the REST API may schedule (beyond those in jobs.classes). */
        public Builder scheduleTypes(List<Class<? extends Schedulable>> types) {
            scheduleTypes.addAll(types);
            return this;
        }

        /** Batch classes the REST API may submit and schedule (beyond those in jobs.classes). */
        public Builder batchTypes(List<Class<? extends Batchable<?>>> types) {
            batchTypes.addAll(types);
            return this;
        }

        /** Adds a feature's routes. */
        public Builder module(ApiModule module) {
            modules.add(Objects.requireNonNull(module, "module"));
            return this;
        }

        /** Changes Javalin's configuration (static files of the dashboard, for example) before it starts. */
        public Builder configure(Consumer<JavalinConfig> configurer) {
            configurers.add(Objects.requireNonNull(configurer, "configurer"));
            return this;
        }

        /** The clock of the stats windows. */
        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** How often metrics sample the store. */
        public Builder metricsInterval(Duration interval) {
            this.metricsInterval = Objects.requireNonNull(interval, "interval");
            return this;
        }

        /**
         * Opens the node (unless one was given), starts it, and starts HTTP.
         *
         * @throws ConfigException when a setting is unusable (a job class that cannot be loaded, say)
         */
        public MillraceServer start() {
            List<Class<? extends Queueable>> types = new ArrayList<>(jobTypes);
            List<Class<? extends Schedulable>> schedulables = new ArrayList<>(scheduleTypes);
            List<Class<? extends Batchable<?>>> batchables = new ArrayList<>(batchTypes);
            Millrace node = millrace;
            if (node == null) {
                Millrace.Builder b = Millrace.builder().dataDir(config.dataDir()).schema(config.schema())
                        .workers(config.workers());
                if (config.jdbcUrl() != null) b.jdbcUrl(config.jdbcUrl(), config.dbUser(), config.dbPassword());
                for (String name : config.jobClasses()) {
                    Class<?> c = loadJobClass(name);
                    b.register(c);
                    if (Queueable.class.isAssignableFrom(c)) types.add(c.asSubclass(Queueable.class));
                    if (Schedulable.class.isAssignableFrom(c)) schedulables.add(c.asSubclass(Schedulable.class));
                    if (Batchable.class.isAssignableFrom(c)) batchables.add(batchable(c));
                }
                for (String name : config.futureClasses()) b.registerFutures(load("jobs.future-classes", name));
                for (String name : config.handlerClasses()) {
                    Class<?> c = load("events.handler-classes", name);
                    if (!dev.millrace.event.EventHandler.class.isAssignableFrom(c)) {
                        throw new ConfigException("setting events.handler-classes: class " + name + " is not an event"
                                + " handler: expected a class implementing dev.millrace.event.EventHandler");
                    }
                    try {
                        b.registerHandler(c.asSubclass(dev.millrace.event.EventHandler.class));
                    } catch (IllegalArgumentException e) {
                        throw new ConfigException("setting events.handler-classes: " + e.getMessage());
                    }
                }
                node = b.build();
                try {
                    node.start();
                } catch (RuntimeException e) {
                    node.close();
                    throw e;
                }
            }
            Millrace m = node;
            ServerMetrics metrics = new ServerMetrics(m, metricsInterval);
            try {
                return open(m, types, schedulables, batchables, metrics);
            } catch (RuntimeException e) {
                metrics.close();
                if (ownsMillrace) m.close();
                throw e;
            }
        }

        private MillraceServer open(Millrace m, List<Class<? extends Queueable>> types,
                                    List<Class<? extends Schedulable>> schedulables,
                                    List<Class<? extends Batchable<?>>> batchables, ServerMetrics metrics) {
            Instant started = clock.instant();
            List<ApiModule> all = new ArrayList<>();
            all.add(new HealthApi(m, metrics.registry()));
            all.add(new TenantsApi(m, config.maxBodyBytes()));
            all.add(new KeysApi(m, config.maxBodyBytes()));
            all.add(new JobsApi(m, new JobTypes(types), config.maxBodyBytes()));
            all.add(new StatsApi(m, clock, () -> {
                Map<String, Object> n = new LinkedHashMap<>();
                n.put("id", m.nodeId());
                n.put("status", "UP");
                n.put("startedAt", started);
                dev.millrace.monitoring.NodeStatus st = m.status();
                // The node's own count: a node given to the builder may have other workers than the settings say.
                n.put("workers", st.workers());
                n.put("version", VersionProvider.version());
                n.put("governor", st.governor().name());
                n.put("governorReason", st.governorReason());
                n.put("allowedExecutions", st.allowedExecutions());
                n.put("inFlight", st.inFlight());
                n.put("lastSample", st.lastSample());
                n.put("fairUsage", st.fairUsage());
                return n;
            }));
            all.add(new SchedulesApi(m, new ScheduleTypes(schedulables), config.maxBodyBytes(), clock));
            all.add(new FlagsApi(m, config.maxBodyBytes()));
            all.add(new LimitsApi(m));
            all.add(new SharesApi(m));
            EventsApi events = new EventsApi(m, config.maxBodyBytes());
            all.add(events);
            all.add(new BatchesApi(m, new BatchTypes(batchables), config.maxBodyBytes(), clock));
            all.addAll(modules);
            List<Route> routes = new ArrayList<>();
            for (ApiModule module : all) routes.addAll(module.routes());
            List<Route> withDoc = new ArrayList<>(routes);
            Route doc = Route.of(HandlerType.GET, OPENAPI_PATH, Access.PUBLIC).operationId("openapi")
                    .summary("This document.").response(200, "{\"type\":\"object\"}")
                    .handle(ctx -> ctx.contentType("application/json").result(
                            OpenApiDocument.of(List.copyOf(withDoc), VersionProvider.version()).toString()));
            withDoc.add(doc);
            checkUnique(withDoc);
            Auth auth = new Auth(config.adminKey(), m.apiKeys());

            Javalin app = Javalin.create(c -> {
                c.startup.showJavalinBanner = false;
                c.startup.showOldJavalinVersionWarning = false;
                c.jsonMapper(Json.javalinMapper());
                c.http.maxRequestSize = config.maxBodyBytes();
                c.http.prefer405over404 = true;
                c.jetty.host = config.host();
                c.jetty.port = config.port();
                for (Route r : withDoc) {
                    c.routes.addHttpHandler(r.method(), r.javalinPath(), ctx -> {
                        long t0 = System.nanoTime();
                        try {
                            auth.check(ctx, r.access());
                            r.handler().handle(ctx);
                        } catch (Exception e) {
                            Problems.write(ctx, e);
                        } finally {
                            metrics.request(r.method().name(), r.path(), ctx.statusCode(), System.nanoTime() - t0);
                        }
                    });
                }
                c.routes.exception(Exception.class, (e, ctx) -> Problems.write(ctx, e));
                c.routes.error(404, ctx -> {
                    if (!Problems.written(ctx)) {
                        Problems.write(ctx, Problem.notFound("no route " + ctx.method() + " " + ctx.path()
                                + ": expected one of the paths in " + OPENAPI_PATH));
                    }
                });
                c.routes.error(405, ctx -> {
                    if (!Problems.written(ctx)) {
                        Problems.write(ctx, Problem.of(405, "method-not-allowed", "Method not allowed", "method "
                                + ctx.method() + " is not allowed on " + ctx.path() + ": expected one of the methods in "
                                + OPENAPI_PATH));
                    }
                });
                Dashboard.install(c);
                for (Consumer<JavalinConfig> extra : configurers) extra.accept(c);
            });
            app.start();
            metrics.start();
            LOG.info("Millrace server listening on {}:{} with {} routes", config.host(), app.port(), withDoc.size());
            return new MillraceServer(this, m, List.copyOf(withDoc), metrics, app, events);
        }

        private static void checkUnique(List<Route> routes) {
            Set<String> seen = new HashSet<>();
            Set<String> ids = new HashSet<>();
            for (Route r : routes) {
                if (!seen.add(r.method() + " " + r.path())) throw new IllegalStateException("route " + r + " is declared twice");
                if (!ids.add(r.operationId())) {
                    throw new IllegalStateException("operationId " + r.operationId() + " of " + r + " is used twice");
                }
            }
        }

        private static Class<?> loadJobClass(String name) {
            Class<?> c = load("jobs.classes", name);
            if (!Queueable.class.isAssignableFrom(c) && !Schedulable.class.isAssignableFrom(c)
                    && !Batchable.class.isAssignableFrom(c)) {
                throw new ConfigException("setting jobs.classes: class " + name + " is not a Queueable, Schedulable"
                        + " or Batchable: expected classes implementing dev.millrace.Queueable,"
                        + " dev.millrace.schedule.Schedulable or dev.millrace.batch.Batchable");
            }
            return c;
        }

        /** The class as a batch class; Class cannot say {@code Batchable<?>} itself. */
        @SuppressWarnings("unchecked")
        private static Class<? extends Batchable<?>> batchable(Class<?> c) {
            return (Class<? extends Batchable<?>>) c.asSubclass(Batchable.class);
        }

        private static Class<?> load(String key, String name) {
            try {
                return Class.forName(name, false, MillraceServer.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                throw new ConfigException("setting " + key + ": class " + name + " cannot be loaded (" + e
                        + "): expected a class on the server's class path");
            }
        }
    }
}
