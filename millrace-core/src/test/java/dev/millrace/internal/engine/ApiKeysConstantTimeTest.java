package dev.millrace.internal.engine;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Secrets are compared in constant time. Timing a 32-byte comparison in a test would measure the machine's
 * noise, so this checks the one comparison there is: {@code MessageDigest.isEqual} (constant time since JDK 6u17),
 * reached for unknown ids too, and no {@code equals} or {@code Arrays.equals} on secrets or hashes.
 */
class ApiKeysConstantTimeTest {

    @Test
    void secretHashesAreComparedOnlyWithMessageDigestIsEqual() throws Exception {
        String root = System.getenv().getOrDefault("MILLRACE_TEST_ROOT", "..");
        Path source = Path.of(root, "millrace-core/src/main/java/dev/millrace/internal/engine/ApiKeysImpl.java");
        if (!Files.exists(source)) source = Path.of("src/main/java/dev/millrace/internal/engine/ApiKeysImpl.java");
        String code = Files.readString(source);
        String authenticate = code.substring(code.indexOf("public Optional<ApiKey> authenticate"));
        authenticate = authenticate.substring(0, authenticate.indexOf("\n    }\n"));
        assertThat(authenticate).contains("MessageDigest.isEqual(expected, given)")
                .doesNotContain(".equals(").doesNotContain("Arrays.equals").doesNotContain("compareTo");
        // An unknown id still hashes and compares, so it takes about as long as a wrong secret.
        assertThat(authenticate).contains("orElseGet(() -> new byte[32])");
    }

    @Test
    void wrongSecretsOfEveryLengthAndPositionAreRefusedByTheHashComparison() {
        byte[] stored = ApiKeysImpl.sha256("correct-secret");
        assertThat(java.security.MessageDigest.isEqual(stored, ApiKeysImpl.sha256("correct-secret"))).isTrue();
        assertThat(java.security.MessageDigest.isEqual(stored, ApiKeysImpl.sha256("correct-secreT"))).isFalse();
        assertThat(java.security.MessageDigest.isEqual(stored, ApiKeysImpl.sha256("Correct-secret"))).isFalse();
        assertThat(java.security.MessageDigest.isEqual(stored, new byte[32])).isFalse();
    }
}
