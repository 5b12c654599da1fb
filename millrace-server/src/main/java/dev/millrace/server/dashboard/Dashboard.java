package dev.millrace.server.dashboard;

import io.javalin.config.JavalinConfig;
import io.javalin.http.HandlerType;
import io.javalin.http.staticfiles.Location;
import java.util.Map;

/**
 * The web dashboard: static HTML, CSS and ES modules from the jar, served under {@value #PATH}, which read the REST
 * API with the key the user signs in with. No server-side rendering and no build step: the files under
 * {@code src/main/resources/dev/millrace/server/dashboard} are served as written.
 */
public final class Dashboard {
    /** Where the dashboard is served; {@code /} redirects here. */
    public static final String PATH = "/dashboard";
    private static final String RESOURCES = "/dev/millrace/server/dashboard";

    private Dashboard() {
    }

    /** Serves the dashboard's files and sends {@code /} to it. */
    public static void install(JavalinConfig config) {
        config.staticFiles.add(files -> {
            files.hostedPath = PATH;
            files.directory = RESOURCES;
            files.location = Location.CLASSPATH;
            // Revalidate every time: the files are small, and an upgraded server must never mix old and new modules.
            files.headers = Map.of("Cache-Control", "no-cache", "X-Content-Type-Options", "nosniff");
        });
        config.routes.addHttpHandler(HandlerType.GET, "/", ctx -> ctx.redirect(PATH + "/"));
    }
}
