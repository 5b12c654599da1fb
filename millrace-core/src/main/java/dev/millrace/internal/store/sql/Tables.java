package dev.millrace.internal.store.sql;

/**
 * Millrace's table names, qualified by the configured schema (quoted, so its case is kept).
 *
 * @param job the job table
 * @param queue the ready/running queue
 * @param tenant the tenants
 * @param log the job log
 */
public record Tables(String job, String queue, String tenant, String log) {

    /** The tables in a schema, or in the connection's default schema when {@code schema} is null. */
    public static Tables in(String schema) {
        String p = schema == null ? "" : "\"" + schema + "\".";
        return new Tables(p + "mr_job", p + "mr_queue", p + "mr_tenant", p + "mr_job_log");
    }
}
