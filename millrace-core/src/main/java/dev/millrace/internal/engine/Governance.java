package dev.millrace.internal.engine;

import dev.millrace.internal.flags.FlagService;

import java.net.http.HttpClient;
import java.time.Duration;

/**
 * What executions of a node share for governor limits and feature flags: the flag service, the limit
 * watchdog and the HTTP client behind every execution's metered one.
 */
final class Governance {
    final FlagService flags;
    final LimitWatchdog watchdog = new LimitWatchdog();
    private volatile HttpClient http;

    Governance(FlagService flags) {
        this.flags = flags;
    }

    /** The node's HTTP client, opened on first use. */
    HttpClient http() {
        HttpClient h = http;
        if (h == null) {
            synchronized (this) {
                if (http == null) http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
                h = http;
            }
        }
        return h;
    }

    void close() {
        HttpClient h = http;
        if (h != null) h.close();
    }
}
