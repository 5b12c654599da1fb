package dev.millrace.event;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * A published event as handlers and readers see it.
 *
 * @param channel the channel's name
 * @param replayId its position in the channel: increasing in commit order, without gaps a reader could see filled
 * @param eventUuid its unique id (handlers use it to stay idempotent: delivery is at least once)
 * @param publishedAt when it was published
 * @param fields its values: String, BigDecimal, Boolean or Instant by field type
 */
public record EventRecord(String channel, long replayId, UUID eventUuid, Instant publishedAt,
                          Map<String, Object> fields) {

    /** A STRING, LONG_TEXT or ID field, or null when absent. */
    public String getString(String field) {
        Object v = fields.get(field);
        return v == null ? null : v.toString();
    }

    /** A NUMBER field, or null when absent. */
    public BigDecimal getNumber(String field) {
        return (BigDecimal) fields.get(field);
    }

    /** A BOOLEAN field, or null when absent. */
    public Boolean getBoolean(String field) {
        return (Boolean) fields.get(field);
    }

    /** A DATE_TIME field, or null when absent. */
    public Instant getInstant(String field) {
        return (Instant) fields.get(field);
    }
}
