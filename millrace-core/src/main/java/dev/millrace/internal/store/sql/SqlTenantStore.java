package dev.millrace.internal.store.sql;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.millrace.TenantId;
import dev.millrace.TenantPolicy;
import dev.millrace.internal.store.StoreException;
import dev.millrace.internal.store.TenantStore;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Tenants in SQL; a policy is stored as JSON, and keys it lacks (added by later versions) take the defaults. */
final class SqlTenantStore implements TenantStore {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Jdbc jdbc;
    private final SqlDialect dialect;
    private final Tables t;

    SqlTenantStore(Jdbc jdbc, SqlDialect dialect, Tables tables) {
        this.jdbc = jdbc;
        this.dialect = dialect;
        this.t = tables;
    }

    @Override
    public void put(TenantId tenant, TenantPolicy policy, Instant now) {
        String json = write(policy);
        jdbc.inTransaction("save tenant " + tenant, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE " + t.tenant() + " SET policy = ?, updated_at = ? WHERE tenant_id = ?")) {
                ps.setString(1, json);
                Jdbc.setInstant(ps, 2, now);
                ps.setString(3, tenant.value());
                if (ps.executeUpdate() > 0) return null;
            }
            insert(c, tenant, json, now);
            return null;
        });
    }

    @Override
    public TenantPolicy createIfAbsent(TenantId tenant, TenantPolicy policy, Instant now) {
        Optional<TenantPolicy> existing = policy(tenant);
        if (existing.isPresent()) return existing.get();
        try {
            jdbc.inTransaction("create tenant " + tenant, c -> {
                insert(c, tenant, write(policy), now);
                return null;
            });
            return policy;
        } catch (StoreException e) {
            // Another node created it first: theirs stands.
            if (e.getCause() instanceof SQLException s && dialect.isUniqueViolation(s)) {
                return policy(tenant).orElseThrow(() -> e);
            }
            throw e;
        }
    }

    private void insert(Connection c, TenantId tenant, String json, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO " + t.tenant() + " (tenant_id, policy, created_at, updated_at) VALUES (?, ?, ?, ?)")) {
            ps.setString(1, tenant.value());
            ps.setString(2, json);
            Jdbc.setInstant(ps, 3, now);
            Jdbc.setInstant(ps, 4, now);
            ps.executeUpdate();
        }
    }

    @Override
    public Optional<TenantPolicy> policy(TenantId tenant) {
        return jdbc.inTransaction("read tenant " + tenant, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT policy FROM " + t.tenant() + " WHERE tenant_id = ?")) {
                ps.setString(1, tenant.value());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(read(tenant, rs.getString(1))) : Optional.empty();
                }
            }
        });
    }

    @Override
    public List<TenantId> list() {
        return jdbc.inTransaction("list tenants", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT tenant_id FROM " + t.tenant() + " ORDER BY tenant_id");
                 ResultSet rs = ps.executeQuery()) {
                List<TenantId> out = new ArrayList<>();
                while (rs.next()) out.add(new TenantId(rs.getString(1)));
                return out;
            }
        });
    }

    private static String write(TenantPolicy policy) {
        try {
            return JSON.writeValueAsString(policy);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("tenant policy cannot be written as JSON", e);
        }
    }

    /** Stored keys over the defaults, nested objects (limit profiles) key by key, so a partial override keeps the rest. */
    private static void merge(ObjectNode into, ObjectNode stored) {
        stored.fields().forEachRemaining(e -> {
            if (e.getValue() instanceof ObjectNode s && into.get(e.getKey()) instanceof ObjectNode d) merge(d, s);
            else into.set(e.getKey(), e.getValue());
        });
    }

    private static TenantPolicy read(TenantId tenant, String json) {
        try {
            ObjectNode merged = JSON.valueToTree(TenantPolicy.DEFAULTS);
            merge(merged, (ObjectNode) JSON.readTree(json));
            return JSON.treeToValue(merged, TenantPolicy.class);
        } catch (JsonProcessingException | ClassCastException e) {
            throw new IllegalStateException("stored policy of tenant '" + tenant + "' is not a JSON object of policy keys: "
                    + json, e);
        }
    }
}
