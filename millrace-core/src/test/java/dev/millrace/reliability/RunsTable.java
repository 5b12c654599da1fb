package dev.millrace.reliability;

import dev.millrace.JobId;
import dev.millrace.testing.TestDatabase;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The table jobs record their committed runs in, plus the few queries on Millrace's own job table the
 * reliability tests read. No unique key: a run recorded twice must show up, not be refused.
 */
final class RunsTable {
    /** One committed run. */
    record Run(String jobId, int attempt, String node) {
    }

    private final TestDatabase db;
    private final String name;

    private RunsTable(TestDatabase db) {
        this.db = db;
        this.name = name(db.schema());
    }

    /** A fresh, empty runs table in the database's schema (which a node built on it has created). */
    static RunsTable create(TestDatabase db) {
        db.execute("DROP TABLE IF EXISTS " + name(db.schema()));
        db.execute("CREATE TABLE " + name(db.schema())
                + " (job_id VARCHAR(36) NOT NULL, attempt INT NOT NULL, node VARCHAR(100))");
        return new RunsTable(db);
    }

    static String name(String schema) {
        return "\"" + schema + "\".runs";
    }

    long count() {
        return db.queryLong("SELECT COUNT(*) FROM " + name);
    }

    List<Run> all() {
        return runs("SELECT job_id, attempt, node FROM " + name);
    }

    List<Run> of(JobId id) {
        return runs("SELECT job_id, attempt, node FROM " + name + " WHERE job_id = '" + id.value() + "' ORDER BY attempt");
    }

    /** Runs per node (a null node is reported as "(none)"). */
    Map<String, Long> countByNode() {
        return counts("SELECT COALESCE(node, '(none)'), COUNT(*) FROM " + name + " GROUP BY node ORDER BY 1");
    }

    /** Jobs with more than one committed run, with how many. */
    Map<String, Long> jobsRecordedMoreThanOnce() {
        return counts("SELECT job_id, COUNT(*) FROM " + name + " GROUP BY job_id HAVING COUNT(*) > 1 ORDER BY 1");
    }

    /** Jobs of Millrace's job table by status. */
    Map<String, Long> jobStatuses() {
        return counts("SELECT status, COUNT(*) FROM \"" + db.schema() + "\".mr_job GROUP BY status ORDER BY 1");
    }

    /** Ids of the jobs in this status whose last attempt is stamped with this node. */
    List<String> jobIds(String status, String node) {
        List<String> out = new ArrayList<>();
        query("SELECT id FROM \"" + db.schema() + "\".mr_job WHERE status = '" + status + "' AND node = '" + node + "'",
                rs -> out.add(rs.getString(1)));
        return out;
    }

    private List<Run> runs(String sql) {
        List<Run> out = new ArrayList<>();
        query(sql, rs -> out.add(new Run(rs.getString(1), rs.getInt(2), rs.getString(3))));
        return out;
    }

    private Map<String, Long> counts(String sql) {
        Map<String, Long> out = new LinkedHashMap<>();
        query(sql, rs -> out.put(rs.getString(1), rs.getLong(2)));
        return out;
    }

    private interface Row {
        void read(ResultSet rs) throws SQLException;
    }

    private void query(String sql, Row row) {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) row.read(rs);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }
}
