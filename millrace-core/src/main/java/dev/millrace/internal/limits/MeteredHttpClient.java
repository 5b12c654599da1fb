package dev.millrace.internal.limits;

import dev.millrace.limits.CalloutException;
import dev.millrace.limits.Limit;

import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The execution's HTTP client: a shared {@link HttpClient} whose calls count as callouts, and whose time
 * spent counts as callout time, against the execution's {@link ExecutionLimits}. Closing it is a no-op: the
 * underlying client is the node's.
 */
public final class MeteredHttpClient extends HttpClient {
    private final HttpClient real;
    private final ExecutionLimits limits;
    /** Why this execution may make no callout, or null when it may. */
    private final String refused;

    /** A client counting against {@code limits} over the shared {@code real} client. */
    public MeteredHttpClient(HttpClient real, ExecutionLimits limits) {
        this(real, limits, null);
    }

    /**
     * A client counting against {@code limits} over the shared {@code real} client, or, when {@code refused} is not
     * null, refusing every call with a {@link CalloutException} that gives this reason.
     */
    public MeteredHttpClient(HttpClient real, ExecutionLimits limits, String refused) {
        this.real = real;
        this.limits = limits;
        this.refused = refused;
    }

    private void checkAllowed(HttpRequest request) {
        if (refused != null) {
            throw new CalloutException("callout to " + request.method() + " " + request.uri() + " refused: " + refused);
        }
    }

    @Override
    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
            throws IOException, InterruptedException {
        checkAllowed(request);
        limits.add(Limit.CALLOUTS, 1);
        long start = System.nanoTime();
        try {
            return real.send(request, handler);
        } finally {
            limits.add(Limit.CALLOUT_TIME, (System.nanoTime() - start) / 1_000_000);
        }
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        return sendAsync(request, handler, null);
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler,
                                                            HttpResponse.PushPromiseHandler<T> push) {
        checkAllowed(request);
        limits.add(Limit.CALLOUTS, 1);
        long start = System.nanoTime();
        CompletableFuture<HttpResponse<T>> f = push == null ? real.sendAsync(request, handler)
                : real.sendAsync(request, handler, push);
        // The time lands when the response does, on the client's thread; it is checked at the next counted call.
        return f.whenComplete((r, e) -> limits.addFromAnyThread(Limit.CALLOUT_TIME, (System.nanoTime() - start) / 1_000_000));
    }

    @Override
    public Optional<CookieHandler> cookieHandler() {
        return real.cookieHandler();
    }

    @Override
    public Optional<Duration> connectTimeout() {
        return real.connectTimeout();
    }

    @Override
    public Redirect followRedirects() {
        return real.followRedirects();
    }

    @Override
    public Optional<ProxySelector> proxy() {
        return real.proxy();
    }

    @Override
    public SSLContext sslContext() {
        return real.sslContext();
    }

    @Override
    public SSLParameters sslParameters() {
        return real.sslParameters();
    }

    @Override
    public Optional<Authenticator> authenticator() {
        return real.authenticator();
    }

    @Override
    public Version version() {
        return real.version();
    }

    @Override
    public Optional<Executor> executor() {
        return real.executor();
    }

    @Override
    public WebSocket.Builder newWebSocketBuilder() {
        throw new UnsupportedOperationException("web sockets are not available to executions: expected request/response"
                + " calls through send or sendAsync");
    }

    @Override
    public void close() {
        // the node's client outlives the execution
    }

    @Override
    public void shutdown() {
        // the node's client outlives the execution
    }

    @Override
    public void shutdownNow() {
        // the node's client outlives the execution
    }

    @Override
    public boolean awaitTermination(Duration duration) {
        return false;
    }

    @Override
    public boolean isTerminated() {
        return false;
    }
}
