package dev.millrace.internal.engine;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.millrace.JobError;
import dev.millrace.ParentJobResult;
import dev.millrace.SerializationException;

import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.util.stream.Collectors;

/**
 * Job state as JSON. A job's fields are its state (getters and setters are ignored; {@code transient} fields
 * are skipped), so records and nested objects work. Every failure names the class and the field.
 */
final class JobCodec {
    private final ObjectMapper mapper;
    private final java.util.Set<Class<?>> roundTripped = java.util.concurrent.ConcurrentHashMap.newKeySet();

    JobCodec() {
        mapper = new ObjectMapper()
                .registerModule(new JavaTimeModule())
                .registerModule(new Jdk8Module())
                .setVisibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE)
                .setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
                .setVisibility(PropertyAccessor.CREATOR, JsonAutoDetect.Visibility.ANY)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    /** The configured mapper, for values stored beside jobs (a batch's chunk records). */
    ObjectMapper mapper() {
        return mapper;
    }

    /**
     * Writes an object's state; the first time a class is written, also reads it back, so a class that could
     * be written but never rebuilt is refused at enqueue rather than failing when it runs.
     */
    String write(Object state, String what) {
        String json;
        try {
            json = mapper.writeValueAsString(state);
        } catch (JsonProcessingException e) {
            throw new SerializationException("cannot store the state of " + what + " " + state.getClass().getName()
                    + fieldOf(e) + ": " + rootMessage(e) + "; expected fields of JSON-serialisable types"
                    + " (mark others transient)", e);
        }
        if (roundTripped.add(state.getClass())) {
            try {
                read(json, state.getClass(), what);
            } catch (SerializationException e) {
                roundTripped.remove(state.getClass());
                throw e;
            }
        }
        return json;
    }

    <T> T read(String json, Class<T> type, String what) {
        try {
            return mapper.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new SerializationException("cannot rebuild " + what + " " + type.getName() + " from its stored state"
                    + fieldOf(e) + ": " + rootMessage(e) + "; expected a no-argument constructor (any visibility)"
                    + " or a record", e);
        }
    }

    /** A future's arguments as a JSON array. */
    String writeArgs(Object[] args) {
        ArrayNode array = mapper.createArrayNode();
        for (Object arg : args) array.add(mapper.valueToTree(arg));
        return array.toString();
    }

    /** A future's arguments rebuilt with the method's declared parameter types. */
    Object[] readArgs(Method method, String json) {
        try {
            JsonNode array = mapper.readTree(json);
            Type[] types = method.getGenericParameterTypes();
            Object[] out = new Object[types.length];
            for (int i = 0; i < types.length; i++) {
                JavaType type = mapper.getTypeFactory().constructType(types[i]);
                out[i] = mapper.treeToValue(array.get(i), type);
            }
            return out;
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new SerializationException("cannot rebuild the arguments of future " + method.getDeclaringClass().getName()
                    + "." + method.getName() + ": " + rootMessage(e), e);
        }
    }

    /** The stored form of a finalizer job: the finalizer's state, the parent's result and error. */
    String writeFinalizer(String finalizerJson, ParentJobResult result, JobError error) {
        try {
            ObjectNode node = mapper.createObjectNode();
            node.set("finalizer", mapper.readTree(finalizerJson));
            node.put("result", result.name());
            if (error != null) node.set("error", mapper.valueToTree(error));
            return node.toString();
        } catch (JsonProcessingException e) {
            throw new SerializationException("cannot store finalizer: " + e.getOriginalMessage(), e);
        }
    }

    /** A stored finalizer job read back. */
    record StoredFinalizer(String finalizerJson, ParentJobResult result, JobError error) {
    }

    StoredFinalizer readFinalizer(String json) {
        try {
            JsonNode node = mapper.readTree(json);
            JsonNode error = node.get("error");
            return new StoredFinalizer(node.get("finalizer").toString(), ParentJobResult.valueOf(node.get("result").asText()),
                    error == null || error.isNull() ? null : mapper.treeToValue(error, JobError.class));
        } catch (JsonProcessingException e) {
            throw new SerializationException("cannot read a stored finalizer: " + e.getOriginalMessage(), e);
        }
    }

    /** The stored form of a SCHEDULED job: its schedule, the occurrence and the schedulable's state. */
    String writeScheduled(java.util.UUID scheduleId, java.time.Instant fireTime, String schedulableJson) {
        try {
            ObjectNode node = mapper.createObjectNode();
            node.put("schedule", scheduleId.toString());
            node.put("fireTime", fireTime.toString());
            node.set("schedulable", mapper.readTree(schedulableJson));
            return node.toString();
        } catch (JsonProcessingException e) {
            throw new SerializationException("cannot store the job of schedule " + scheduleId + ": "
                    + e.getOriginalMessage(), e);
        }
    }

    /** A stored SCHEDULED job read back. */
    record StoredScheduled(java.util.UUID scheduleId, java.time.Instant fireTime, String schedulableJson) {
    }

    StoredScheduled readScheduled(String json) {
        try {
            JsonNode node = mapper.readTree(json);
            return new StoredScheduled(java.util.UUID.fromString(node.get("schedule").asText()),
                    java.time.Instant.parse(node.get("fireTime").asText()), node.get("schedulable").toString());
        } catch (JsonProcessingException | RuntimeException e) {
            throw new SerializationException("cannot read a stored scheduled job: " + rootMessage(e), e);
        }
    }

    private static String fieldOf(JsonProcessingException e) {
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            return ": field '" + m.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining(".")) + "'";
        }
        return "";
    }

    private static String rootMessage(Exception e) {
        if (e instanceof JsonProcessingException j) return j.getOriginalMessage();
        return e.getMessage();
    }
}
