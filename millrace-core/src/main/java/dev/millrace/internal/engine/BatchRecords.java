package dev.millrace.internal.engine;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JavaType;
import dev.millrace.SerializationException;
import dev.millrace.batch.Row;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * A chunk's records as stored with it. Query rows are written compactly, the column labels and a type code per
 * column once, then one JSON array per row; they come back as {@link Row}s with the same values. Items of an
 * iterable are a JSON array written and read with the job codec.
 */
final class BatchRecords {
    private static final JsonFactory JSON = new JsonFactory();

    private final JobCodec codec;

    BatchRecords(JobCodec codec) {
        this.codec = codec;
    }

    /** The columns of a query's result: labels and how each value is kept. */
    record Columns(List<String> labels, char[] kinds, Map<String, Integer> index) {
        static Columns of(ResultSetMetaData md) throws SQLException {
            int n = md.getColumnCount();
            List<String> labels = new ArrayList<>(n);
            char[] kinds = new char[n];
            Map<String, Integer> index = new HashMap<>();
            for (int i = 0; i < n; i++) {
                labels.add(md.getColumnLabel(i + 1));
                index.putIfAbsent(labels.get(i).toLowerCase(Locale.ROOT), i);
                kinds[i] = switch (md.getColumnType(i + 1)) {
                    case Types.BIGINT, Types.INTEGER, Types.SMALLINT, Types.TINYINT -> 'L';
                    case Types.NUMERIC, Types.DECIMAL -> 'N';
                    case Types.REAL, Types.FLOAT, Types.DOUBLE -> 'D';
                    case Types.BOOLEAN, Types.BIT -> 'B';
                    case Types.TIMESTAMP -> 'T';
                    case Types.TIMESTAMP_WITH_TIMEZONE -> 'Z';
                    case Types.DATE -> 'Y';
                    case Types.OTHER, Types.BINARY, Types.JAVA_OBJECT -> 'O';
                    default -> 'S';
                };
            }
            return new Columns(List.copyOf(labels), kinds, Map.copyOf(index));
        }
    }

    /** Writes the rows of a chunk: reads {@code count} rows from the result set's current row on. */
    String writeRows(Columns cols, List<Object[]> rows) {
        StringWriter out = new StringWriter(rows.size() * 32 + 64);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("c");
            for (String l : cols.labels()) g.writeString(l);
            g.writeEndArray();
            g.writeStringField("k", new String(cols.kinds()));
            g.writeArrayFieldStart("r");
            for (Object[] row : rows) {
                g.writeStartArray();
                for (int i = 0; i < row.length; i++) {
                    Object v = row[i];
                    if (v == null) g.writeNull();
                    else if (v instanceof Long l) g.writeNumber(l);
                    else if (v instanceof Double d) g.writeNumber(d);
                    else if (v instanceof Boolean b) g.writeBoolean(b);
                    else g.writeString(v.toString());
                }
                g.writeEndArray();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** One row's values from the result set, as {@link #writeRows} keeps them. */
    static Object[] read(ResultSet rs, Columns cols) throws SQLException {
        Object[] row = new Object[cols.kinds().length];
        for (int i = 0; i < row.length; i++) {
            int c = i + 1;
            Object v = switch (cols.kinds()[i]) {
                case 'L' -> rs.getLong(c);
                case 'N' -> {
                    // Kept as the database's text, which reads back as the same BigDecimal: no parse and format here.
                    // NaN and the infinities are no BigDecimal: the driver refuses them, as it did before.
                    String t = rs.getString(c);
                    yield t == null || t.isEmpty() || t.charAt(t.length() - 1) > '9' ? rs.getBigDecimal(c) : t;
                }
                case 'D' -> rs.getDouble(c);
                case 'B' -> rs.getBoolean(c);
                case 'T' -> {
                    Timestamp t = rs.getTimestamp(c);
                    yield t == null ? null : t.toInstant();
                }
                case 'Z' -> {
                    OffsetDateTime t = rs.getObject(c, OffsetDateTime.class);
                    yield t == null ? null : t.toInstant();
                }
                case 'Y' -> {
                    java.sql.Date d = rs.getDate(c);
                    yield d == null ? null : d.toLocalDate();
                }
                case 'O' -> {
                    Object o = rs.getObject(c);
                    yield o instanceof UUID ? o : (o == null ? null : rs.getString(c));
                }
                default -> rs.getString(c);
            };
            row[i] = rs.wasNull() ? null : v;
        }
        return row;
    }

    /** The rows of a stored chunk. */
    List<Row> readRows(String json) {
        try (JsonParser p = JSON.createParser(json)) {
            List<String> labels = new ArrayList<>();
            String kinds = null;
            List<Row> rows = new ArrayList<>();
            Map<String, Integer> index = null;
            expect(p.nextToken(), JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "c" -> {
                        while (p.nextToken() != JsonToken.END_ARRAY) labels.add(p.getText());
                        Map<String, Integer> m = new HashMap<>();
                        for (int i = 0; i < labels.size(); i++) m.putIfAbsent(labels.get(i).toLowerCase(Locale.ROOT), i);
                        index = Map.copyOf(m);
                    }
                    case "k" -> kinds = p.getText();
                    case "r" -> {
                        List<String> cols = List.copyOf(labels);
                        while (p.nextToken() == JsonToken.START_ARRAY) {
                            Object[] values = new Object[cols.size()];
                            int i = 0;
                            while (p.nextToken() != JsonToken.END_ARRAY) values[i] = value(p, kinds.charAt(i++));
                            rows.add(new Row(cols, index, values));
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            return rows;
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot read the records of a batch chunk: " + e.getMessage(), e);
        }
    }

    private static Object value(JsonParser p, char kind) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) return null;
        return switch (kind) {
            case 'L' -> p.getLongValue();
            case 'D' -> p.getDoubleValue();
            case 'B' -> p.getBooleanValue();
            case 'N' -> new BigDecimal(p.getText());
            case 'T', 'Z' -> Instant.parse(p.getText());
            case 'Y' -> LocalDate.parse(p.getText());
            case 'O' -> {
                String s = p.getText();
                yield s.length() == 36 && s.charAt(8) == '-' ? UUID.fromString(s) : s;
            }
            default -> p.getText();
        };
    }

    private static void expect(JsonToken got, JsonToken expected) {
        if (got != expected) throw new IllegalStateException("expected " + expected + ", got " + got);
    }

    /** The items of an iterable's chunk. */
    String writeItems(List<?> items) {
        try {
            return codec.mapper().writeValueAsString(items);
        } catch (IOException e) {
            throw new SerializationException("cannot store the records of a batch chunk: " + e.getMessage()
                    + "; expected items of JSON-serialisable types", e);
        }
    }

    /** The items of a stored iterable chunk, rebuilt as the given class. */
    List<Object> readItems(String json, Class<?> type) {
        try {
            JavaType t = codec.mapper().getTypeFactory().constructCollectionType(List.class, type);
            return codec.mapper().readValue(json, t);
        } catch (IOException e) {
            throw new SerializationException("cannot rebuild the records of a batch chunk as " + type.getName() + ": "
                    + e.getMessage(), e);
        }
    }
}
