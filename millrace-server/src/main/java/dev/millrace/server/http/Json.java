package dev.millrace.server.http;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.millrace.JobId;
import dev.millrace.TenantId;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * JSON of the REST API. Responses: records with camelCase fields, ids as strings, instants as ISO-8601. Requests
 * are read strictly: a body over the size limit, text that is not JSON, duplicate keys, unknown fields and values
 * of the wrong type are each refused with a {@link Problem} naming the field and the rule.
 */
public final class Json {
    /** Writes responses. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .addModule(new Jdk8Module())
            .addModule(new SimpleModule("millrace-ids")
                    .addSerializer(JobId.class, ToStringSerializer.instance)
                    .addSerializer(TenantId.class, ToStringSerializer.instance))
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .serializationInclusion(JsonInclude.Include.ALWAYS)
            .build();

    /**
     * Reads a job's state into its class: fields only (like the engine stores them), and strict: an unknown
     * field, a null for a primitive, a string where a number belongs are errors.
     */
    public static final ObjectMapper STATE_READER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .addModule(new Jdk8Module())
            .visibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE)
            .visibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
            .visibility(PropertyAccessor.CREATOR, JsonAutoDetect.Visibility.ANY)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            // A number or boolean where a string belongs is a mistake, not a value to convert.
            .withCoercionConfig(LogicalType.Textual, c -> c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .withCoercionConfig(LogicalType.Boolean, c -> c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail))
            .build();

    private static final ObjectMapper READER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .build();

    static {
        // Bounds far below Jackson's defaults: a request body is small, and deep nesting only costs stack.
        READER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(64).maxNumberLength(100).maxStringLength(1_000_000).build());
    }

    private Json() {
    }

    /** A value as JSON text. */
    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getName() + " as JSON", e);
        }
    }

    /** Javalin's mapper, writing with {@link #MAPPER}; Millrace reads request bodies itself. */
    public static io.javalin.json.JsonMapper javalinMapper() {
        return new io.javalin.json.JsonMapper() {
            @Override
            public String toJsonString(Object obj, Type type) {
                return write(obj);
            }
        };
    }

    /**
     * The request's body as a JSON object, within {@code maxBytes}.
     *
     * @throws Problem 413 when larger, 415 when declared as another media type, 400 when not a JSON object
     */
    public static ObjectNode readObject(Context ctx, long maxBytes) {
        String type = ctx.contentType();
        if (type != null && !type.isBlank() && !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")
                && !type.toLowerCase(java.util.Locale.ROOT).contains("+json")) {
            throw Problem.unsupportedMediaType("Content-Type '" + type + "' is not JSON: expected application/json");
        }
        byte[] body = readBody(ctx, maxBytes);
        if (body.length == 0) throw Problem.malformed("body", "the body is empty: expected a JSON object");
        JsonNode node;
        try {
            node = READER.readTree(body);
        } catch (IOException e) {
            throw Problem.malformed("body", "the body is not valid JSON: " + oneLine(e) + "; expected a JSON object");
        }
        if (node == null || !node.isObject()) {
            throw Problem.malformed("body", "the body is " + describe(node) + ": expected a JSON object");
        }
        return (ObjectNode) node;
    }

    /** The body's bytes, refusing more than {@code maxBytes} without reading the rest. */
    static byte[] readBody(Context ctx, long maxBytes) {
        long declared = ctx.req().getContentLengthLong();
        try (InputStream in = ctx.req().getInputStream()) {
            if (declared > maxBytes) {
                drain(in, declared);
                throw Problem.tooLarge("the body is " + declared + " bytes: expected at most " + maxBytes
                        + " (server setting api.max-body-bytes)");
            }
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (bytes.length > maxBytes) {
                drain(in, DRAIN_LIMIT);
                throw Problem.tooLarge("the body is over " + maxBytes + " bytes: expected at most " + maxBytes
                        + " (server setting api.max-body-bytes)");
            }
            return bytes;
        } catch (IOException e) {
            throw Problem.malformed("body", "the body could not be read: " + e.getMessage());
        }
    }

    /** The most bytes of a refused body read and dropped, so the client (still sending) sees the 413. */
    static final long DRAIN_LIMIT = 16L << 20;

    private static void drain(InputStream in, long declared) throws IOException {
        if (declared > DRAIN_LIMIT) return;
        byte[] sink = new byte[8192];
        long left = DRAIN_LIMIT;
        for (int n; left > 0 && (n = in.read(sink, 0, (int) Math.min(sink.length, left))) > 0; ) left -= n;
    }

    /** Refuses fields of {@code node} not in {@code allowed}, naming the first and the allowed ones. */
    public static void onlyFields(ObjectNode node, String where, String... allowed) {
        Set<String> ok = Set.of(allowed);
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!ok.contains(name)) {
                throw Problem.invalid(where + name, "unknown-field", "field '" + where + name
                        + "' is unknown: expected only " + Arrays.stream(allowed).sorted()
                        .map(a -> "'" + where + a + "'").collect(Collectors.joining(", ")));
            }
        }
    }

    /** A required or optional text field; null when absent and optional. */
    public static String text(ObjectNode node, String where, String name, boolean required, int maxLength) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            if (required) throw Problem.invalid(where + name, "required", "field '" + where + name + "' is missing: expected a string");
            return null;
        }
        if (!v.isTextual()) throw wrongType(where + name, v, "a string");
        String s = v.textValue();
        if (s.length() > maxLength) {
            throw Problem.invalid(where + name, "max-length", "field '" + where + name + "' has " + s.length()
                    + " characters: expected at most " + maxLength);
        }
        return s;
    }

    /** An optional whole number in {@code [min, max]}; null when absent. */
    public static Long integer(ObjectNode node, String where, String name, long min, long max) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) return null;
        if (!v.isIntegralNumber() || !v.canConvertToLong()) throw wrongType(where + name, v, "a whole number");
        long n = v.longValue();
        if (n < min || n > max) {
            throw Problem.invalid(where + name, "range", "field '" + where + name + "' is " + n + ": expected "
                    + min + " to " + max);
        }
        return n;
    }

    /** An optional object field; null when absent. */
    public static ObjectNode object(ObjectNode node, String where, String name) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) return null;
        if (!v.isObject()) throw wrongType(where + name, v, "a JSON object");
        return (ObjectNode) v;
    }

    /** A problem saying a field has the wrong JSON type. */
    public static Problem wrongType(String field, JsonNode v, String expected) {
        return Problem.invalid(field, "type", "field '" + field + "' is " + describe(v) + ": expected " + expected);
    }

    /** The JSON type of a node in words. */
    public static String describe(JsonNode v) {
        if (v == null || v.isMissingNode()) return "empty";
        if (v.isNull()) return "null";
        if (v.isTextual()) return "a string";
        if (v.isIntegralNumber()) return "a whole number";
        if (v.isNumber()) return "a decimal number";
        if (v.isBoolean()) return "a boolean";
        if (v.isArray()) return "an array";
        return "an object";
    }

    /** The field path of a Jackson mapping error, joined with dots, or "" when it has none. */
    public static String path(JsonProcessingException e) {
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            return m.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining("."));
        }
        return "";
    }

    /** A Jackson message without its source excerpt. */
    public static String oneLine(Exception e) {
        String m = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        if (m == null) return e.getClass().getSimpleName();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
