package dev.millrace.internal.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.millrace.event.ChannelDefinition;
import dev.millrace.event.Event;
import dev.millrace.event.FieldDefinition;
import dev.millrace.event.FieldType;
import dev.millrace.event.PublishBehavior;
import dev.millrace.event.PublishResult;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Channel definitions and event payloads as JSON, and the per-event validation against a channel's fields. */
final class EventCodec {
    static final String REQUIRED_FIELD_MISSING = "REQUIRED_FIELD_MISSING";
    static final String INVALID_FIELD_VALUE = "INVALID_FIELD_VALUE";
    static final String UNKNOWN_FIELD = "UNKNOWN_FIELD";
    static final String UNKNOWN_CHANNEL = "UNKNOWN_CHANNEL";
    static final String ACCESS_DENIED = "ACCESS_DENIED";
    static final String LIMIT_EXCEEDED = PublishResult.LIMIT_EXCEEDED;

    private final ObjectMapper mapper = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    String writeDefinition(ChannelDefinition d) {
        ObjectNode root = mapper.createObjectNode();
        root.put("behavior", d.behavior().name());
        if (d.retention() != null) root.put("retentionSeconds", d.retention().toSeconds());
        ArrayNode fields = root.putArray("fields");
        for (FieldDefinition f : d.fields()) {
            fields.addObject().put("name", f.name()).put("type", f.type().name()).put("required", f.required());
        }
        return root.toString();
    }

    ChannelDefinition readDefinition(String name, String json) {
        try {
            JsonNode root = mapper.readTree(json);
            List<FieldDefinition> fields = new ArrayList<>();
            for (JsonNode f : root.get("fields")) {
                fields.add(new FieldDefinition(f.get("name").asText(), FieldType.valueOf(f.get("type").asText()),
                        f.get("required").asBoolean()));
            }
            JsonNode retention = root.get("retentionSeconds");
            return new ChannelDefinition(name, fields, PublishBehavior.valueOf(root.get("behavior").asText()),
                    retention == null || retention.isNull() ? null : Duration.ofSeconds(retention.asLong()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored definition of channel " + name + " is unreadable: " + e.getMessage(), e);
        }
    }

    /** The payload of a valid event, or the refusal naming the field. */
    record Checked(String payload, PublishResult refusal) {
    }

    /** Checks an event against its channel; never throws for a bad value. */
    Checked check(ChannelDefinition d, Event e) {
        ObjectNode payload = mapper.createObjectNode();
        for (Map.Entry<String, Object> entry : e.fields().entrySet()) {
            if (d.fieldNamed(entry.getKey()).isEmpty()) {
                return refused(UNKNOWN_FIELD, entry.getKey(), "field '" + entry.getKey() + "' is not a field of channel "
                        + d.name() + ": expected one of " + d.fields().stream().map(FieldDefinition::name).toList());
            }
        }
        for (FieldDefinition f : d.fields()) {
            Object v = e.fields().get(f.name());
            if (v == null) {
                if (f.required()) {
                    return refused(REQUIRED_FIELD_MISSING, f.name(), "required field '" + f.name() + "' of channel "
                            + d.name() + " is missing: expected a " + f.type() + " value");
                }
                continue;
            }
            String problem = put(payload, f, v);
            if (problem != null) {
                return refused(INVALID_FIELD_VALUE, f.name(), "field '" + f.name() + "' of channel " + d.name()
                        + " has " + describe(v) + ": expected " + problem);
            }
        }
        return new Checked(payload.toString(), null);
    }

    private static Checked refused(String code, String field, String message) {
        return new Checked(null, PublishResult.refused(code, field, message));
    }

    private static String describe(Object v) {
        String text = String.valueOf(v);
        if (text.length() > 40) text = text.substring(0, 40) + "…";
        return "the " + v.getClass().getSimpleName() + " '" + text + "'";
    }

    /** Puts a value in the payload; returns what was expected when it does not fit the field. */
    private static String put(ObjectNode payload, FieldDefinition f, Object v) {
        switch (f.type()) {
            case STRING -> {
                if (!(v instanceof CharSequence s) || s.length() > FieldDefinition.STRING_MAX_LENGTH) {
                    return "a String of at most " + FieldDefinition.STRING_MAX_LENGTH + " characters";
                }
                payload.put(f.name(), s.toString());
            }
            case LONG_TEXT -> {
                if (!(v instanceof CharSequence s) || s.length() > FieldDefinition.LONG_TEXT_MAX_LENGTH) {
                    return "a String of at most " + FieldDefinition.LONG_TEXT_MAX_LENGTH + " characters";
                }
                payload.put(f.name(), s.toString());
            }
            case ID -> {
                String s = v instanceof UUID u ? u.toString() : v instanceof CharSequence cs ? cs.toString() : null;
                if (s == null || s.isBlank() || s.length() > FieldDefinition.ID_MAX_LENGTH) {
                    return "an id: a UUID or a non-blank String of at most " + FieldDefinition.ID_MAX_LENGTH + " characters";
                }
                payload.put(f.name(), s);
            }
            case NUMBER -> {
                BigDecimal n = number(v);
                if (n == null) return "a finite Number";
                payload.put(f.name(), n);
            }
            case BOOLEAN -> {
                if (!(v instanceof Boolean b)) return "a Boolean";
                payload.put(f.name(), b);
            }
            case DATE_TIME -> {
                Instant t = v instanceof Instant i ? i : v instanceof OffsetDateTime o ? o.toInstant()
                        : v instanceof ZonedDateTime z ? z.toInstant() : null;
                if (t == null) return "an Instant, OffsetDateTime or ZonedDateTime";
                payload.put(f.name(), t.toString());
            }
        }
        return null;
    }

    private static BigDecimal number(Object v) {
        if (v instanceof BigDecimal b) return b;
        if (v instanceof Double d) return d.isNaN() || d.isInfinite() ? null : BigDecimal.valueOf(d);
        if (v instanceof Float f) return f.isNaN() || f.isInfinite() ? null : new BigDecimal(f.toString());
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            return BigDecimal.valueOf(((Number) v).longValue());
        }
        if (v instanceof Number n) {
            try {
                return new BigDecimal(n.toString());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    /** A stored payload as typed values, by the channel's current fields (unknown fields stay as text). */
    Map<String, Object> read(ChannelDefinition d, String payload) {
        try {
            JsonNode root = mapper.readTree(payload);
            Map<String, Object> out = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode v = e.getValue();
                FieldType type = d.fieldNamed(e.getKey()).map(FieldDefinition::type).orElse(null);
                Object value;
                if (type == FieldType.NUMBER || (type == null && v.isNumber())) value = v.decimalValue();
                else if (type == FieldType.BOOLEAN || (type == null && v.isBoolean())) value = v.asBoolean();
                else if (type == FieldType.DATE_TIME) value = Instant.parse(v.asText());
                else value = v.asText();
                out.put(e.getKey(), value);
            }
            return Collections.unmodifiableMap(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored event of channel " + d.name() + " is unreadable: " + e.getMessage(), e);
        }
    }
}
