package dev.millrace.server.cli;

import picocli.CommandLine.Option;

/** Where the server is and who is calling: shared by every command that talks to a server. */
public final class ClientOptions {
    @Option(names = "--url", paramLabel = "URL", defaultValue = "${env:MILLRACE_URL:-http://127.0.0.1:8080}",
            description = "The server's base URL (default: MILLRACE_URL, else ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--key", paramLabel = "KEY", defaultValue = "${env:MILLRACE_KEY}",
            description = "An API key: a tenant's, or the admin key (default: the environment variable MILLRACE_KEY).")
    String key;

    @Option(names = "--tenant", paramLabel = "ID", defaultValue = "${env:MILLRACE_TENANT}",
            description = "With the admin key: the tenant to act for (default: MILLRACE_TENANT).")
    String tenant;

    @Option(names = "--json", description = "Print the server's JSON instead of text, for scripts.")
    boolean json;

    /** Creates the options; picocli fills them in. */
    public ClientOptions() {
    }

    ApiClient client() {
        return new ApiClient(url, key, tenant);
    }
}
