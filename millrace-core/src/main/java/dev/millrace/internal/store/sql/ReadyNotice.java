package dev.millrace.internal.store.sql;

import dev.millrace.TenantId;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The payload of a notification on the ready-jobs channel: the tenants that have new ready jobs, separated by
 * spaces (tenant ids never contain one), or empty when it names none and any tenant may have work. A node woken
 * with tenants named claims for them at once; woken with none, it first reads which tenants have ready jobs.
 * Nodes that do not read the payload (older ones) treat every notification as naming none, which stays correct.
 */
final class ReadyNotice {
    /** The payload that names no tenant. */
    static final String ANY_TENANT = "";
    /**
     * The longest payload sent; beyond it the notification names no tenant. PostgreSQL refuses 8,000 bytes or more,
     * and a list this long is no cheaper to claim from than the list the woken node reads itself.
     */
    static final int MAX_PAYLOAD = 2000;

    private ReadyNotice() {
    }

    /** The payload naming these tenants, or {@link #ANY_TENANT} when they do not fit. */
    static String payload(Collection<String> tenants) {
        StringBuilder out = new StringBuilder();
        for (String t : tenants) {
            if (out.length() + t.length() + 1 > MAX_PAYLOAD) return ANY_TENANT;
            if (!out.isEmpty()) out.append(' ');
            out.append(t);
        }
        return out.toString();
    }

    /**
     * Notifies listening nodes, when the transaction of {@code c} commits, that it wrote ready jobs of these tenants
     * (no-op where the database cannot).
     */
    static void sendAtCommit(Connection c, SqlDialect dialect, Tables t, Collection<String> tenants)
            throws SQLException {
        if (dialect.notifySql() == null) return;
        try (PreparedStatement n = c.prepareStatement(dialect.notifySql())) {
            n.setString(1, t.readyChannel());
            n.setString(2, payload(tenants));
            n.execute();
        }
    }

    /**
     * The tenants a payload names, or null when it names none: empty, or not a list of valid tenant ids (a
     * notification sent by something else on the channel wakes the node for every tenant rather than for none).
     */
    static Set<TenantId> tenants(String payload) {
        if (payload == null || payload.isEmpty()) return null;
        Set<TenantId> out = new LinkedHashSet<>();
        try {
            for (String t : payload.split(" ")) out.add(new TenantId(t));
        } catch (IllegalArgumentException notATenant) {
            return null;
        }
        return out;
    }
}
