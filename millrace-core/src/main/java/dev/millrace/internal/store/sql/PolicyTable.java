package dev.millrace.internal.store.sql;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.millrace.TenantId;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.Optional;

/**
 * A table of one JSON policy per tenant ({@code tenant_id, policy, updated_at}), such as the cursor and event
 * policies. Stored keys are merged over the defaults when read, so a policy written before a key existed still reads.
 *
 * @param <P> the policy record
 */
final class PolicyTable<P> {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Jdbc jdbc;
    private final String table;
    private final String what;
    private final Class<P> type;
    private final P defaults;

    /** {@code what} names the policy in messages, e.g. "cursor policy". */
    PolicyTable(Jdbc jdbc, String table, String what, Class<P> type, P defaults) {
        this.jdbc = jdbc;
        this.table = table;
        this.what = what;
        this.type = type;
        this.defaults = defaults;
    }

    /** The tenant's stored policy, if one was put. */
    Optional<P> get(TenantId tenant) {
        return jdbc.inAutoCommit("read " + what + " of " + tenant, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT policy FROM " + table + " WHERE tenant_id = ?")) {
                ps.setString(1, tenant.value());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(read(tenant, rs.getString(1))) : Optional.empty();
                }
            }
        });
    }

    /** Stores the tenant's policy, replacing the one it had. */
    void put(TenantId tenant, P p, Instant now) {
        String json;
        try {
            json = JSON.writeValueAsString(p);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(what + " cannot be written as JSON", e);
        }
        jdbc.inTransaction("save " + what + " of " + tenant, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE " + table + " SET policy = ?, updated_at = ? WHERE tenant_id = ?")) {
                ps.setString(1, json);
                Jdbc.setInstant(ps, 2, now);
                ps.setString(3, tenant.value());
                if (ps.executeUpdate() > 0) return null;
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO " + table + " (tenant_id, policy, updated_at) VALUES (?, ?, ?)")) {
                ps.setString(1, tenant.value());
                ps.setString(2, json);
                Jdbc.setInstant(ps, 3, now);
                ps.executeUpdate();
            }
            return null;
        });
    }

    private P read(TenantId tenant, String json) {
        try {
            ObjectNode merged = JSON.valueToTree(defaults);
            merged.setAll((ObjectNode) JSON.readTree(json));
            return JSON.treeToValue(merged, type);
        } catch (JsonProcessingException | ClassCastException e) {
            throw new IllegalStateException("stored " + what + " of tenant '" + tenant + "' is not a JSON object of"
                    + " policy keys: " + json, e);
        }
    }
}
