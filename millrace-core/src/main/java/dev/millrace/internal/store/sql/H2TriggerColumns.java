package dev.millrace.internal.store.sql;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;

/** Where the Java triggers on H2's job table find their columns in the row arrays H2 hands them. */
final class H2TriggerColumns {
    private H2TriggerColumns() {
    }

    /**
     * The 0-based positions of the named columns in the table's rows, in the order named; refuses a table that lacks
     * one, naming the trigger and every column it needs.
     */
    static int[] positions(Connection conn, String schema, String table, String trigger, String... columns)
            throws SQLException {
        int[] out = new int[columns.length];
        java.util.Arrays.fill(out, -1);
        try (ResultSet rs = conn.getMetaData().getColumns(null, schema, table, null)) {
            while (rs.next()) {
                String column = rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT);
                for (int i = 0; i < columns.length; i++) {
                    if (columns[i].equals(column)) out[i] = rs.getInt("ORDINAL_POSITION") - 1;
                }
            }
        }
        for (int position : out) {
            if (position < 0) {
                throw new SQLException("trigger " + trigger + " needs columns " + String.join(", ", columns) + " on "
                        + schema + "." + table);
            }
        }
        return out;
    }

    /** A table of the trigger's schema, quoted for SQL. */
    static String table(String schema, String name) {
        return "\"" + schema.replace("\"", "\"\"") + "\"." + name;
    }
}
