package dev.millrace.internal.store.sql;

import org.h2.api.Trigger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
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
    private int idColumn = -1;
    private int tenantColumn = -1;
    private int signatureColumn = -1;
    private int stateColumn = -1;

    /** Called by H2 when it loads the trigger: finds the columns and names the signature table in the job table's schema. */
    @Override
    public void init(Connection conn, String schemaName, String triggerName, String tableName, boolean before, int type)
            throws SQLException {
        try (ResultSet rs = conn.getMetaData().getColumns(null, schemaName, tableName, null)) {
            while (rs.next()) {
                int position = rs.getInt("ORDINAL_POSITION") - 1;
                switch (rs.getString("COLUMN_NAME").toLowerCase(java.util.Locale.ROOT)) {
                    case "id" -> idColumn = position;
                    case "tenant_id" -> tenantColumn = position;
                    case "signature" -> signatureColumn = position;
                    case "state" -> stateColumn = position;
                    default -> { }
                }
            }
        }
        if (idColumn < 0 || tenantColumn < 0 || signatureColumn < 0 || stateColumn < 0) {
            throw new SQLException("trigger " + triggerName + " needs columns id, tenant_id, signature and state on "
                    + schemaName + "." + tableName);
        }
        String table = "\"" + schemaName.replace("\"", "\"\"") + "\".mr_job_signature";
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
