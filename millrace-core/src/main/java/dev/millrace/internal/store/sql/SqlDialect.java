package dev.millrace.internal.store.sql;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;

/**
 * What differs between databases, and nothing else: the store never tests a database's name. Each method is
 * either a capability flag or one statement's text.
 */
public interface SqlDialect {

    /** A short name: {@code h2} or {@code postgresql}; also the migration folder. */
    String name();

    /** Whether {@link #insertSql} writes a job in one statement that skips a duplicate signature (0 rows). */
    boolean insertsInOneStatement();

    /**
     * The statement that inserts a job's row (only with {@link #insertsInOneStatement()}); with {@code signed} it
     * skips a duplicate signature, without it is for jobs that carry none (nothing to skip, so no conflict check to
     * pay for). With {@code notify} it is a query that notifies listeners and returns one row per job written,
     * otherwise an update.
     */
    String insertSql(Tables t, boolean notify, boolean signed);

    /**
     * The statement that inserts a job already claimed (running): parameters as {@link #insertSql}'s, then node,
     * lease expiry and start time; an update count, 0 when a live job holds its signature. {@code signed} as for
     * {@link #insertSql}.
     */
    String insertClaimedSql(Tables t, boolean signed);

    /**
     * Where a database keeps live jobs' duplicate signatures in a table of their own ({@link Tables#signature}) rather
     * than in a unique index over the job rows, the statement that holds a signature for a new job: parameters
     * tenant, signature, job id; a unique violation while another live job holds it (its entry goes when its job
     * ends). Null (the default) where the job rows' own unique index holds signatures.
     */
    default String holdSignatureSql(Tables t) {
        return null;
    }

    /**
     * The condition, on the job table's columns, that a job's parent is the one parameter. By default the job rows'
     * own {@code parent_job_id} (indexed); a database may keep the pairs apart ({@link Tables#child}).
     */
    default String parentIsSql(Tables t) {
        return "parent_job_id = ?";
    }

    /**
     * Binds a timestamp parameter (null allowed). By default as an {@code OffsetDateTime} in UTC; a dialect may bind
     * it in a form its driver sends more cheaply.
     */
    default void setInstant(PreparedStatement ps, int i, Instant t) throws SQLException {
        Jdbc.setInstant(ps, i, t);
    }

    /**
     * The statement that inserts many jobs at once (columns as arrays, a duplicate signature skipped), or null when
     * the database inserts them one statement each.
     */
    String insertManySql(Tables t);

    /**
     * The {@code COPY … FROM STDIN} (binary format, {@link CopyRows}) that streams new jobs' rows in the column order of
     * the job insert (NEW_JOB_COLUMNS, then state), or null when the database has no such bulk path.
     */
    default String copyJobsSql(Tables t) {
        return null;
    }

    /**
     * The statement that notifies listening nodes at commit that ready jobs were written, or null when the database
     * cannot. Parameters: the channel ({@link Tables#readyChannel}), the {@code ReadyNotice} payload naming their
     * tenants.
     */
    String notifySql();

    /** The lease renewal of a node's running jobs. Parameters: leaseUntil, node. */
    String renewLeasesSql(Tables t);

    /** Whether {@link #claimSql} claims across tenants in one statement. */
    boolean claimsInOneStatement();

    /**
     * The one-statement fair claim (only with {@link #claimsInOneStatement()}). Parameters: tenants[], limits[],
     * starts[], steps[], excluded[], floor run times[] (text), floor ids[] ({@link ClaimFloors}, null elements where a
     * tenant has none), now, total, node, leaseUntil, now.
     */
    String claimSql(Tables t);

    /**
     * The one-statement claim of one tenant's oldest ready jobs (only with {@link #claimsInOneStatement()}), or null
     * to use {@link #claimSql} for one tenant too. Parameters: tenant, now, floor run time and floor id
     * ({@link ClaimFloors}, nulls for none), then the excluded types ({@code ,A,B,}) when {@code excluding}, then
     * limit, node, leaseUntil, now. Returns the claimed rows with their attempt.
     */
    default String claimOneTenantSql(Tables t, boolean excluding) {
        return null;
    }

    /**
     * Whether each commit writes the pages it dirtied to the file (H2's MVStore with {@code WRITE_DELAY=0}: a chunk
     * per commit), so that fewer, larger commits save work beyond their statements.
     */
    default boolean commitWritesPages() {
        return false;
    }

    /** Whether {@link #completeSql} ends a batch of attempts in one statement. */
    boolean completesInOneStatement();

    /**
     * The one-statement completion (only with {@link #completesInOneStatement()}): ends the running rows whose
     * attempt still matches. Parameters: arrays of ids, tenants, attempts, statuses, extended statuses and completion
     * times as text. Returns the ids it ended.
     */
    String completeSql(Tables t);

    /** Tenants that have ready jobs. Parameters: now, limit. */
    String readyTenantsSql(Tables t);

    /** Whether the database can wake other nodes (LISTEN/NOTIFY). */
    boolean supportsListenNotify();

    /** The statement that takes a transaction-scoped advisory lock without waiting, or null when none exists. */
    String tryLeaderLockSql();

    /** Whether the exception is a unique-constraint violation. */
    default boolean isUniqueViolation(SQLException e) {
        for (SQLException x = e; x != null; x = x.getNextException()) {
            if ("23505".equals(x.getSQLState())) return true;
            if (x.getCause() instanceof SQLException c && "23505".equals(c.getSQLState())) return true;
        }
        return false;
    }

    /**
     * What ends the query that picks due schedules so that other nodes skip the rows this one fires
     * ({@code FOR UPDATE SKIP LOCKED}), or empty where rows are taken with a fenced update instead.
     */
    default String lockDueRowsClause() {
        return "";
    }

    /** Whether statements may take arrays ({@code = ANY(?)}, {@code unnest}) to touch many rows at once. */
    default boolean bindsArrays() {
        return false;
    }

    /**
     * The condition that a key column is one of the values a subquery returns, written after the column: where
     * the database otherwise joins the two, the subquery must drive (each value reached by the key).
     */
    default String idIn(String subquery) {
        return "IN (" + subquery + ")";
    }

    /**
     * A join to one row of {@code table} (as {@code alias}, giving {@code columns}) found by key from the rows before
     * it ({@code condition}, which names them): where the database could otherwise start from the table or merge
     * with a walk of its whole key, each row must reach its one row by the key.
     */
    default String joinByKey(String table, String alias, String columns, String condition) {
        return " JOIN " + table + " " + alias + " ON " + condition;
    }
}
