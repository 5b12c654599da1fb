package dev.millrace.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServerConfigTest {
    @TempDir
    Path dir;

    @Test
    void defaultsNeedNothing() {
        ServerConfig c = ServerConfig.load(null, Map.of(), Map.of());
        assertThat(c.port()).isEqualTo(8080);
        assertThat(c.jdbcUrl()).isNull();
        assertThat(c.adminKey()).isNull();
        assertThat(c.dataDir()).isEqualTo(Path.of("millrace-data"));
    }

    @Test
    void environmentOverridesTheFileAndTheCommandLineOverridesBoth() throws Exception {
        Path file = dir.resolve("millrace.properties");
        Files.writeString(file, "server.port = 9000\nnode.workers = 3\nstore.jdbc-url = jdbc:postgresql://db/app\n");
        ServerConfig c = ServerConfig.load(file, Map.of("MILLRACE_SERVER_PORT", "9100", "MILLRACE_STORE_USER", "app"),
                Map.of("node.workers", "5"));
        assertThat(c.port()).isEqualTo(9100);
        assertThat(c.workers()).isEqualTo(5);
        assertThat(c.jdbcUrl()).isEqualTo("jdbc:postgresql://db/app");
        assertThat(c.dbUser()).isEqualTo("app");
    }

    @Test
    void badSettingsNameTheKeyTheSourceAndTheRule() throws Exception {
        assertThatThrownBy(() -> ServerConfig.load(null, Map.of("MILLRACE_SERVER_PORT", "80x"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("setting server.port (environment variable MILLRACE_SERVER_PORT) '80x' is not a whole"
                        + " number: expected 0 to 65535");
        assertThatThrownBy(() -> ServerConfig.load(null, Map.of("MILLRACE_NODE_WORKERS", "0"), Map.of()))
                .hasMessageContaining("node.workers").hasMessageContaining("expected 1 to 1000");
        assertThatThrownBy(() -> ServerConfig.load(null, Map.of("MILLRACE_ADMIN_KEY", "short"), Map.of()))
                .hasMessageContaining("admin.key").hasMessageContaining("at least 24 characters");
        assertThatThrownBy(() -> ServerConfig.load(null, Map.of("MILLRACE_STORE_JDBC_URL", "jdbc:mysql://x"), Map.of()))
                .hasMessageContaining("store.jdbc-url").hasMessageContaining("jdbc:postgresql:");
        Path file = dir.resolve("typo.properties");
        Files.writeString(file, "server.prot = 9000\n");
        assertThatThrownBy(() -> ServerConfig.load(file, Map.of(), Map.of()))
                .hasMessageContaining("key 'server.prot' is unknown").hasMessageContaining("server.port");
        assertThatThrownBy(() -> ServerConfig.load(dir.resolve("missing.properties"), Map.of(), Map.of()))
                .hasMessageContaining("cannot be read");
    }

    @Test
    void aJobClassThatCannotBeLoadedStopsTheStartNamingIt() {
        ServerConfig c = ServerConfig.load(null, Map.of(), Map.of("jobs.classes", "com.example.Missing",
                "store.data-dir", dir.toString(), "server.port", "0"));
        assertThatThrownBy(() -> MillraceServer.builder(c).start()).isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobs.classes").hasMessageContaining("com.example.Missing");
    }

    @Test
    void jobClassesMayNameBatchClassesTheApiSubmitsAndAnyOtherClassStopsTheStart() throws Exception {
        ServerConfig bad = ServerConfig.load(null, Map.of(), Map.of("jobs.classes", "java.lang.String",
                "store.data-dir", dir.toString(), "server.port", "0", "server.host", "127.0.0.1"));
        assertThatThrownBy(() -> MillraceServer.builder(bad).start()).isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobs.classes").hasMessageContaining("java.lang.String")
                .hasMessageContaining("dev.millrace.batch.Batchable");
        String admin = "test-admin-key-0123456789abcdef";
        ServerConfig ok = ServerConfig.load(null, Map.of(), Map.of("jobs.classes", Note.class.getName() + ", "
                + Count.class.getName(), "store.data-dir", dir.toString(), "server.port", "0", "server.host",
                "127.0.0.1", "admin.key", admin));
        try (MillraceServer server = MillraceServer.builder(ok).start()) {
            java.net.http.HttpResponse<String> types = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.url() + "/api/v1/batch-types"))
                            .header("Authorization", "Bearer " + admin).header("Millrace-Tenant", "acme").build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(types.statusCode()).as(types.body()).isEqualTo(200);
            assertThat(types.body()).contains("\"Count\"").doesNotContain("Note");
        }
    }

    @Test
    void handlerClassesAreRegisteredAndAClassThatIsNoHandlerStopsTheStart() {
        ServerConfig bad = ServerConfig.load(null, Map.of(), Map.of("events.handler-classes", "java.lang.String",
                "store.data-dir", dir.toString(), "server.port", "0", "server.host", "127.0.0.1"));
        assertThatThrownBy(() -> MillraceServer.builder(bad).start()).isInstanceOf(ConfigException.class)
                .hasMessageContaining("events.handler-classes").hasMessageContaining("java.lang.String")
                .hasMessageContaining("EventHandler");
        ServerConfig ok = ServerConfig.load(null, Map.of("MILLRACE_EVENTS_HANDLER_CLASSES", Collect.class.getName()),
                Map.of("store.data-dir", dir.toString(), "server.port", "0", "server.host", "127.0.0.1"));
        try (MillraceServer server = MillraceServer.builder(ok).start()) {
            assertThat(server.millrace().eventHandlers()).containsExactly(Collect.class);
        }
    }

    @Test
    void secretsStayOutOfItsText() {
        ServerConfig c = ServerConfig.load(null, Map.of("MILLRACE_ADMIN_KEY", "a-very-secret-admin-key-1234567",
                "MILLRACE_STORE_PASSWORD", "hunter2"), Map.of());
        assertThat(c.toString()).doesNotContain("a-very-secret").doesNotContain("hunter2");
    }
}
