package dev.millrace.internal.store.sql;

/**
 * Millrace's table names, qualified by the configured schema (quoted, so its case is kept).
 *
 * @param job the job table: one row per job, whose {@code state} column makes the live ones the queue
 * @param tenant the tenants
 * @param log the job log
 */
public record Tables(String job, String tenant, String log) {

    /** The tables in a schema, or in the connection's default schema when {@code schema} is null. */
    public static Tables in(String schema) {
        String p = schema == null ? "" : "\"" + schema + "\".";
        return new Tables(p + "mr_job", p + "mr_tenant", p + "mr_job_log");
    }
}
