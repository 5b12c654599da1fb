package dev.millrace.internal.store.sql;

import org.h2.api.Trigger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Releases a job's duplicate signature on H2 in the update that ends the job ({@code state} becomes NULL): the entry
 * in {@code mr_job_signature} goes in the same transaction (migration V20, H2 only). The table's primary key then
 * refuses a second live holder by itself, which stays atomic when enqueues race (V18 handed an ended holder's entry
 * over with an {@code UPDATE … WHERE NOT EXISTS}, and H2 let two racing enqueues both take it). Updates of unsigned
 * jobs, and those that leave a job live (claims, lease renewals), write nothing.
 */
public final class H2SignatureTrigger implements Trigger {
    private String deleteSql;
    private int idColumn;
    private int tenantColumn;
    private int signatureColumn;
    private int stateColumn;

    /** Called by H2 when it loads the trigger: finds the columns and names the signature table in the job table's schema. */
    @Override
    public void init(Connection conn, String schemaName, String triggerName, String tableName, boolean before, int type)
            throws SQLException {
        int[] at = H2TriggerColumns.positions(conn, schemaName, tableName, triggerName, "id", "tenant_id", "signature",
                "state");
        idColumn = at[0];
        tenantColumn = at[1];
        signatureColumn = at[2];
        stateColumn = at[3];
        String table = H2TriggerColumns.table(schemaName, "mr_job_signature");
        deleteSql = "DELETE FROM " + table + " WHERE tenant_id = ? AND signature = ? AND job_id = ?";
    }

    /** Called by H2 for each row updated. */
    @Override
    public void fire(Connection conn, Object[] oldRow, Object[] newRow) throws SQLException {
        if (oldRow == null || newRow == null || newRow[signatureColumn] == null) return;
        if (oldRow[stateColumn] == null || newRow[stateColumn] != null) return;
        try (PreparedStatement ps = conn.prepareStatement(deleteSql)) {
            ps.setObject(1, newRow[tenantColumn]);
            ps.setObject(2, newRow[signatureColumn]);
            ps.setObject(3, newRow[idColumn]);
            ps.executeUpdate();
        }
    }
}
