package dev.millrace;

import dev.millrace.apikey.IssuedApiKey;
import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import dev.millrace.testing.TestDatabase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ApiKeysTest extends DatabaseTest {

    @ParameterizedTest
    @EnumSource(Db.class)
    void issuedKeyAuthenticatesAsItsTenantAndIsStoredOnlyAsAHash(Db db) throws Exception {
        Millrace m = node(builder(db));
        tenants(m, TenantId.of("acme"));
        IssuedApiKey issued = m.apiKeys().issue(TenantId.of("acme"), "billing");

        assertThat(issued.secret()).matches("mr_[0-9a-f]{16}_[A-Za-z0-9_-]{43}");
        assertThat(m.apiKeys().authenticate(issued.secret())).hasValueSatisfying(k -> {
            assertThat(k.tenant()).isEqualTo(TenantId.of("acme"));
            assertThat(k.label()).isEqualTo("billing");
        });
        String secretPart = issued.secret().substring(20);
        String everyCell = dump(database(db), "mr_api_key");
        assertThat(everyCell).doesNotContain(secretPart).doesNotContain(issued.secret())
                .contains(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                        .digest(secretPart.getBytes(StandardCharsets.UTF_8))));
        assertThat(issued.toString()).doesNotContain(secretPart);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void anAlteredUnknownOrRevokedKeyDoesNotAuthenticate(Db db) {
        Millrace m = node(builder(db));
        tenants(m, TenantId.of("acme"));
        IssuedApiKey issued = m.apiKeys().issue(TenantId.of("acme"), null);
        String s = issued.secret();
        String lastCharChanged = s.substring(0, s.length() - 1) + (s.endsWith("A") ? "B" : "A");
        String otherId = "mr_" + "0".repeat(16) + s.substring(19);
        assertThat(m.apiKeys().authenticate(lastCharChanged)).isEmpty();
        assertThat(m.apiKeys().authenticate(otherId)).isEmpty();
        assertThat(m.apiKeys().authenticate("")).isEmpty();
        assertThat(m.apiKeys().authenticate(s + "x")).isEmpty();
        assertThat(m.apiKeys().authenticate(null)).isEmpty();

        assertThat(m.apiKeys().revoke(TenantId.of("globex"), issued.key().id())).isFalse();
        assertThat(m.apiKeys().authenticate(s)).isPresent();
        assertThat(m.apiKeys().revoke(TenantId.of("acme"), issued.key().id())).isTrue();
        assertThat(m.apiKeys().authenticate(s)).isEmpty();
        assertThat(m.apiKeys().list(TenantId.of("acme"))).singleElement()
                .satisfies(k -> assertThat(k.active()).isFalse());
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void keysAreIssuedOnlyForExistingTenantsWithShortLabels(Db db) {
        Millrace m = node(builder(db));
        assertThatThrownBy(() -> m.apiKeys().issue(TenantId.of("ghost"), null)).isInstanceOf(UnknownTenantException.class);
        tenants(m, TenantId.of("acme"));
        assertThatThrownBy(() -> m.apiKeys().issue(TenantId.of("acme"), "x".repeat(201)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 200");
        assertThat(m.apiKeys().list(TenantId.of("acme"))).isEmpty();
    }

    private static String dump(TestDatabase d, String table) throws Exception {
        StringBuilder out = new StringBuilder();
        try (Connection c = d.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT * FROM \"" + d.schema() + "\"." + table)) {
            ResultSetMetaData md = rs.getMetaData();
            while (rs.next()) {
                for (int i = 1; i <= md.getColumnCount(); i++) out.append(rs.getString(i)).append('|');
            }
        }
        return out.toString();
    }
}
