package dev.millrace.event;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An event to publish: the channel it goes to and its field values. Immutable; {@link #with} returns a copy.
 * Values are checked against the channel's fields when it is published, not here.
 *
 * <pre>{@code
 * Event e = Event.on("OrderPlaced").with("orderId", "o-17").with("amount", 120);
 * }</pre>
 *
 * @param channel the channel's name
 * @param fields the values by field name
 */
public record Event(String channel, Map<String, Object> fields) {

    /** Copies the values (null values are left out: an absent field). */
    public Event {
        Objects.requireNonNull(channel, "channel");
        Map<String, Object> copy = new LinkedHashMap<>();
        Objects.requireNonNull(fields, "fields").forEach((k, v) -> {
            if (v != null) copy.put(Objects.requireNonNull(k, "field name"), v);
        });
        fields = Collections.unmodifiableMap(copy);
    }

    /** An event on that channel with no values yet. */
    public static Event on(String channel) {
        return new Event(channel, Map.of());
    }

    /** A copy with one more value (or another value for that field). */
    public Event with(String field, Object value) {
        Map<String, Object> more = new LinkedHashMap<>(fields);
        more.put(field, value);
        return new Event(channel, more);
    }
}
