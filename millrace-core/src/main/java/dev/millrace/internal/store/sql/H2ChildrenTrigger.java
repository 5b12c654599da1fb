package dev.millrace.internal.store.sql;

import org.h2.api.Trigger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Keeps H2's {@code mr_job_child} (parent, child) in step with the job rows that have a parent: a row for each such
 * job inserted, gone with the job (migration V18, H2 only). The job table has no index on {@code parent_job_id}:
 * H2 rewrites every index entry of a row on every {@code UPDATE} (2.4's {@code Table.updateRows}), so that index
 * cost every claim and completion of every job, though only a few have a parent and none changes it. The trigger
 * fires on inserts and deletes only, never on updates.
 */
public final class H2ChildrenTrigger implements Trigger {
    private String insertSql;
    private String deleteSql;
    private int idColumn;
    private int parentColumn;

    /** Called by H2 when it loads the trigger: finds the columns and names the side table in the job table's schema. */
    @Override
    public void init(Connection conn, String schemaName, String triggerName, String tableName, boolean before, int type)
            throws SQLException {
        int[] at = H2TriggerColumns.positions(conn, schemaName, tableName, triggerName, "id", "parent_job_id");
        idColumn = at[0];
        parentColumn = at[1];
        String table = H2TriggerColumns.table(schemaName, "mr_job_child");
        insertSql = "INSERT INTO " + table + " (parent_job_id, job_id) VALUES (?, ?)";
        deleteSql = "DELETE FROM " + table + " WHERE parent_job_id = ? AND job_id = ?";
    }

    /** Called by H2 for each row inserted (old row null) or deleted (new row null). */
    @Override
    public void fire(Connection conn, Object[] oldRow, Object[] newRow) throws SQLException {
        Object[] row = newRow != null ? newRow : oldRow;
        Object parent = row[parentColumn];
        if (parent == null) return;
        try (PreparedStatement ps = conn.prepareStatement(newRow != null ? insertSql : deleteSql)) {
            ps.setObject(1, parent);
            ps.setObject(2, row[idColumn]);
            ps.executeUpdate();
        }
    }
}
