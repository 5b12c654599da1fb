package dev.millrace;

import com.sun.net.httpserver.HttpServer;
import dev.millrace.limits.CalloutException;
import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.millrace.testing.Jobs.awaitTerminal;
import static org.assertj.core.api.Assertions.assertThat;

/** A future makes callouts only when declared {@code @Future(callout = true)} (SPEC FUT-3). */
class FutureCalloutTest extends DatabaseTest {
    static final TenantId ACME = TenantId.of("acme");
    static final Map<String, Object> SEEN = new ConcurrentHashMap<>();
    static final AtomicInteger CALLS = new AtomicInteger();
    private static HttpServer http;
    static volatile String url;

    /** Futures that call the test's HTTP server through their execution's client. */
    public static final class Calls {
        private Calls() {
        }

        @Future(callout = true)
        public static void allowed(String tag) throws Exception {
            SEEN.put(tag, call().statusCode());
        }

        @Future
        public static void notAllowed(String tag) throws Exception {
            try {
                call();
            } catch (CalloutException e) {
                SEEN.put(tag, e);
                throw e;
            }
        }

        private static HttpResponse<String> call() throws Exception {
            Execution e = Execution.current().orElseThrow();
            return e.httpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }

    @BeforeAll
    static void server() throws Exception {
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/", x -> {
            CALLS.incrementAndGet();
            x.sendResponseHeaders(204, -1);
            x.close();
        });
        http.start();
        url = "http://127.0.0.1:" + http.getAddress().getPort() + "/ping";
    }

    @AfterAll
    static void stop() {
        http.stop(0);
    }

    @BeforeEach
    void clear() {
        SEEN.clear();
        CALLS.set(0);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aFutureDeclaredWithCalloutsMakesThemAndOneWithoutGetsACalloutException(Db db) {
        Millrace m = started(builder(db).registerFutures(Calls.class));
        m.tenants().create(ACME);

        JobId ok = m.enqueueFuture(ACME, Calls.class, "allowed", "ok");
        assertThat(awaitTerminal(m, ACME, ok).status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(SEEN.get("ok")).isEqualTo(204);
        assertThat(CALLS.get()).isEqualTo(1);

        JobId refused = m.enqueueFuture(ACME, Calls.class, "notAllowed", "no");
        JobRecord job = awaitTerminal(m, ACME, refused);
        assertThat(job.status()).isEqualTo(JobStatus.FAILED);
        assertThat(job.extendedStatus()).contains("CalloutException");
        assertThat(SEEN.get("no")).isInstanceOfSatisfying(CalloutException.class, e -> assertThat(e).hasMessage(
                "callout to GET " + url + " refused: future " + Calls.class.getName() + ".notAllowed is declared"
                        + " @Future(callout = false); expected @Future(callout = true) on a future that makes outbound"
                        + " calls (SPEC FUT-3)"));
        assertThat(CALLS.get()).as("the refused call was not made").isEqualTo(1);
        assertThat(Execution.current()).as("no execution on the test's thread").isEmpty();
    }
}
