package dev.millrace.internal.store.sql;

import dev.millrace.TenantId;
import dev.millrace.apikey.ApiKey;
import dev.millrace.internal.store.ApiKeyStore;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** API keys in SQL (table {@code mr_api_key}, migration V8). */
final class SqlApiKeyStore implements ApiKeyStore {
    private final Jdbc jdbc;
    private final String table;

    SqlApiKeyStore(Jdbc jdbc, String schema) {
        this.jdbc = jdbc;
        this.table = (schema == null ? "" : "\"" + schema + "\".") + "mr_api_key";
    }

    @Override
    public void insert(ApiKey key, String secretHash) {
        jdbc.inTransaction("issue api key for tenant " + key.tenant(), c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table
                    + " (id, tenant_id, label, secret_hash, created_at) VALUES (?, ?, ?, ?, ?)")) {
                ps.setString(1, key.id());
                ps.setString(2, key.tenant().value());
                ps.setString(3, key.label());
                ps.setString(4, secretHash);
                Jdbc.setInstant(ps, 5, key.createdAt());
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public List<ApiKey> list(TenantId tenant) {
        return jdbc.inAutoCommit("list api keys of tenant " + tenant, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT id, tenant_id, label, created_at, revoked_at FROM "
                    + table + " WHERE tenant_id = ? ORDER BY created_at, id")) {
                ps.setString(1, tenant.value());
                List<ApiKey> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(key(rs));
                }
                return out;
            }
        });
    }

    @Override
    public boolean revoke(TenantId tenant, String id, Instant now) {
        return jdbc.inTransaction("revoke api key " + id, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + table
                    + " SET revoked_at = ? WHERE id = ? AND tenant_id = ? AND revoked_at IS NULL")) {
                Jdbc.setInstant(ps, 1, now);
                ps.setString(2, id);
                ps.setString(3, tenant.value());
                return ps.executeUpdate() > 0;
            }
        });
    }

    @Override
    public Optional<StoredKey> findActive(String id) {
        return jdbc.inAutoCommit("read api key", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT id, tenant_id, label, created_at, revoked_at,"
                    + " secret_hash FROM " + table + " WHERE id = ? AND revoked_at IS NULL")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new StoredKey(key(rs), rs.getString("secret_hash")))
                            : Optional.empty();
                }
            }
        });
    }

    private static ApiKey key(ResultSet rs) throws SQLException {
        return new ApiKey(rs.getString("id"), new TenantId(rs.getString("tenant_id")), rs.getString("label"),
                Jdbc.getInstant(rs, "created_at"), Jdbc.getInstant(rs, "revoked_at"));
    }
}
