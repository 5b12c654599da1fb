package dev.millrace.server.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class ServeCommandTest {
    @TempDir
    Path dir;

    @Test
    void aBadSettingStopsTheStartWithExitTwoNamingTheKey() throws Exception {
        Path file = dir.resolve("millrace.properties");
        Files.writeString(file, "node.workers = many\nstore.data-dir = " + dir.toString().replace("\\", "/") + "\n");
        ClientCommandsTest.Run run = ClientCommandsTest.cli("serve", "--config", file.toString());
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("setting node.workers (config file " + file + ") 'many' is not a whole number:"
                + " expected 1 to 1000");
    }

    @Test
    void aJobClassThatIsNotOnTheClassPathStopsTheStartNamingIt() throws Exception {
        Path file = dir.resolve("millrace.properties");
        Files.writeString(file, "jobs.classes = com.acme.Missing\nserver.port = 0\nstore.data-dir = "
                + dir.toString().replace("\\", "/") + "\n");
        ClientCommandsTest.Run run = ClientCommandsTest.cli("serve", "--config", file.toString());
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("jobs.classes", "com.acme.Missing");
    }
}
