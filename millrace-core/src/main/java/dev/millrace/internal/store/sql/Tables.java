package dev.millrace.internal.store.sql;

import java.nio.charset.StandardCharsets;

/**
 * Millrace's table names, qualified by the configured schema (quoted, so its case is kept), and the schema's
 * notification channels for ready jobs and for published events.
 *
 * @param job the job table: one row per job, whose {@code state} column makes the live ones the queue
 * @param tenant the tenants
 * @param log the job log
 * @param signature the live jobs' duplicate signatures, where a database keeps them apart from the job rows (H2,
 *                  {@link SqlDialect#holdSignatureSql})
 * @param child jobs' (parent, child) pairs, where a database keeps them apart from the job rows (H2,
 *              {@link SqlDialect#parentIsSql})
 * @param readyChannel the PostgreSQL channel on which this schema's nodes hear of ready jobs: one per schema, so
 *                     that deployments sharing a database never wake each other (their tenants are not each other's)
 * @param eventChannel the PostgreSQL channel on which this schema's nodes hear of published events: one per schema,
 *                     for the same reason
 */
public record Tables(String job, String tenant, String log, String signature, String child, String readyChannel,
                     String eventChannel) {
    /** The ready channel of the connection's default schema. */
    static final String READY_CHANNEL = "millrace_ready";
    /** The event channel of the connection's default schema. */
    static final String EVENT_CHANNEL = "millrace_events";
    /** PostgreSQL truncates longer channel names (NAMEDATALEN - 1 bytes). */
    private static final int MAX_CHANNEL_BYTES = 63;

    /** The tables in a schema, or in the connection's default schema when {@code schema} is null. */
    public static Tables in(String schema) {
        String p = schema == null ? "" : "\"" + schema + "\".";
        return new Tables(p + "mr_job", p + "mr_tenant", p + "mr_job_log", p + "mr_job_signature", p + "mr_job_child",
                channel(READY_CHANNEL, schema),
                channel(EVENT_CHANNEL, schema));
    }

    private static String channel(String base, String schema) {
        if (schema == null) return base;
        String named = base + "_" + schema;
        if (named.getBytes(StandardCharsets.UTF_8).length <= MAX_CHANNEL_BYTES) return named;
        // Too long to be a channel: a hash of the schema (String.hashCode is the same in every JVM); two schemas that
        // share one only wake each other's nodes for nothing.
        return base + "_" + Integer.toHexString(schema.hashCode());
    }
}
