package dev.millrace.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.server.MillraceServer;
import dev.millrace.server.ServerTest;
import dev.millrace.testing.Db;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's files as the server serves them from the jar, without a browser: every file the page loads,
 * followed from index.html through each module's imports, is there with its media type.
 */
class DashboardAssetsTest extends ServerTest {
    private static final Pattern REFERENCE = Pattern.compile("(?:src|href)=\"([^\"#:]+)\"|from '([^']+)'");

    @Test
    void rootRedirectsToTheDashboard() {
        MillraceServer server = server(Db.H2, false);
        Response root = call(server, "GET", "/", null, null);
        assertThat(root.status()).isEqualTo(302);
        Response index = call(server, "GET", Dashboard.PATH + "/", null, null);
        assertThat(index.status()).isEqualTo(200);
        assertThat(index.contentType()).startsWith("text/html");
        assertThat(index.body()).contains("<div id=\"app\">");
    }

    @Test
    void everyFileThePageLoadsIsServedWithItsMediaType() {
        MillraceServer server = server(Db.H2, false);
        Set<String> seen = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>();
        todo.add(Dashboard.PATH + "/index.html");
        while (!todo.isEmpty()) {
            String path = todo.poll();
            if (!seen.add(path)) continue;
            Response r = call(server, "GET", path, null, null);
            assertThat(r.status()).as(path).isEqualTo(200);
            String type = path.endsWith(".js") ? "text/javascript" : path.endsWith(".css") ? "text/css" : "text/html";
            assertThat(r.contentType()).as(path).startsWith(type);
            Matcher m = REFERENCE.matcher(r.body());
            // index.html has <base href="/dashboard/">; modules import relative to themselves.
            URI base = URI.create(path.endsWith(".html") ? Dashboard.PATH + "/" : path);
            while (m.find()) {
                String ref = m.group(1) != null ? m.group(1) : m.group(2);
                if (ref.equals(Dashboard.PATH + "/")) continue;
                todo.add(base.resolve(ref).getPath());
            }
        }
        assertThat(seen).contains(Dashboard.PATH + "/dashboard.css", Dashboard.PATH + "/js/app.js",
                Dashboard.PATH + "/js/pages/index.js", Dashboard.PATH + "/js/pages/jobs.js",
                Dashboard.PATH + "/js/pages/overview.js", Dashboard.PATH + "/js/chart.js");
    }

    @Test
    void aMissingFileIsAProblemNotAPage() {
        MillraceServer server = server(Db.H2, false);
        Response r = call(server, "GET", Dashboard.PATH + "/js/missing.js", null, null);
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.contentType()).startsWith("application/problem+json");
    }
}
