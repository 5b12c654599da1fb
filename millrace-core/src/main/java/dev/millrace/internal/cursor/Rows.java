package dev.millrace.internal.cursor;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.millrace.cursor.CursorRow;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * How cursor rows are kept: the columns' labels and kinds (read once from the result's metadata) and pages of rows
 * as JSON arrays of arrays. Each value is written in a form its kind reads back exactly (exact numerics and
 * timestamps as text), so a fetched row equals the row the query returned.
 */
final class Rows {
    private static final JsonFactory JSON = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** A column's kind: how its value is read from JDBC, written and rebuilt. */
    enum Kind { BOOLEAN, LONG, DECIMAL, DOUBLE, INSTANT, LOCAL_DATE_TIME, DATE, UUID, BYTES, STRING }

    private final List<String> labels;
    private final Kind[] kinds;
    private final Map<String, Integer> index = new HashMap<>();

    private Rows(List<String> labels, Kind[] kinds) {
        this.labels = List.copyOf(labels);
        this.kinds = kinds;
        for (int i = 0; i < labels.size(); i++) index.putIfAbsent(labels.get(i).toLowerCase(Locale.ROOT), i);
    }

    static Rows of(ResultSetMetaData md) throws SQLException {
        int n = md.getColumnCount();
        List<String> labels = new ArrayList<>(n);
        Kind[] kinds = new Kind[n];
        for (int i = 1; i <= n; i++) {
            labels.add(md.getColumnLabel(i).toLowerCase(Locale.ROOT));
            kinds[i - 1] = kind(md.getColumnType(i), md.getColumnTypeName(i));
        }
        return new Rows(labels, kinds);
    }

    private static Kind kind(int type, String typeName) {
        if ("uuid".equalsIgnoreCase(typeName)) return Kind.UUID;
        return switch (type) {
            case Types.BIT, Types.BOOLEAN -> Kind.BOOLEAN;
            case Types.TINYINT, Types.SMALLINT, Types.INTEGER, Types.BIGINT -> Kind.LONG;
            case Types.NUMERIC, Types.DECIMAL -> Kind.DECIMAL;
            case Types.REAL, Types.FLOAT, Types.DOUBLE -> Kind.DOUBLE;
            case Types.TIMESTAMP_WITH_TIMEZONE -> Kind.INSTANT;
            case Types.TIMESTAMP -> "timestamptz".equalsIgnoreCase(typeName) ? Kind.INSTANT : Kind.LOCAL_DATE_TIME;
            case Types.DATE -> Kind.DATE;
            case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB -> Kind.BYTES;
            default -> Kind.STRING;
        };
    }

    /** The column description stored in the cursor's header. */
    String describe() {
        List<Map<String, String>> out = new ArrayList<>();
        for (int i = 0; i < kinds.length; i++) out.add(Map.of("name", labels.get(i), "kind", kinds[i].name()));
        try {
            return MAPPER.writeValueAsString(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Rebuilds the columns from a header's description. */
    static Rows parse(String description) {
        try {
            List<String> labels = new ArrayList<>();
            List<Kind> kinds = new ArrayList<>();
            for (var node : MAPPER.readTree(description)) {
                labels.add(node.get("name").asText());
                kinds.add(Kind.valueOf(node.get("kind").asText()));
            }
            return new Rows(labels, kinds.toArray(Kind[]::new));
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("stored cursor columns are unreadable: " + description, e);
        }
    }

    /** Writes up to {@code max} rows from the result as one page; returns the count (0 at the end). */
    int writePage(ResultSet rs, int max, StringWriter out) throws SQLException {
        int rows = 0;
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartArray();
            while (rows < max && rs.next()) {
                g.writeStartArray();
                for (int i = 0; i < kinds.length; i++) write(g, rs, i + 1, kinds[i]);
                g.writeEndArray();
                rows++;
            }
            g.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rows;
    }

    private static void write(JsonGenerator g, ResultSet rs, int col, Kind kind) throws SQLException, IOException {
        switch (kind) {
            case BOOLEAN -> {
                boolean v = rs.getBoolean(col);
                if (rs.wasNull()) g.writeNull(); else g.writeBoolean(v);
            }
            case LONG -> {
                long v = rs.getLong(col);
                if (rs.wasNull()) g.writeNull(); else g.writeNumber(v);
            }
            case DOUBLE -> {
                double v = rs.getDouble(col);
                if (rs.wasNull()) g.writeNull(); else g.writeNumber(v);
            }
            case DECIMAL -> {
                BigDecimal v = rs.getBigDecimal(col);
                if (v == null) g.writeNull(); else g.writeString(v.toString());
            }
            case INSTANT -> {
                OffsetDateTime v = rs.getObject(col, OffsetDateTime.class);
                if (v == null) g.writeNull(); else g.writeString(v.toInstant().toString());
            }
            case LOCAL_DATE_TIME -> {
                LocalDateTime v = rs.getObject(col, LocalDateTime.class);
                if (v == null) g.writeNull(); else g.writeString(v.toString());
            }
            case DATE -> {
                LocalDate v = rs.getObject(col, LocalDate.class);
                if (v == null) g.writeNull(); else g.writeString(v.toString());
            }
            case UUID -> {
                Object v = rs.getObject(col);
                if (v == null) g.writeNull(); else g.writeString(v.toString());
            }
            case BYTES -> {
                byte[] v = rs.getBytes(col);
                if (v == null) g.writeNull(); else g.writeString(Base64.getEncoder().encodeToString(v));
            }
            case STRING -> {
                String v = rs.getString(col);
                if (v == null) g.writeNull(); else g.writeString(v);
            }
        }
    }

    /** Reads rows {@code skip} to {@code skip + count - 1} of a page (or fewer, at its end) into {@code out}. */
    void readPage(String page, int skip, int count, List<CursorRow> out) {
        try (JsonParser p = JSON.createParser(page)) {
            p.nextToken(); // [
            int row = 0;
            int taken = 0;
            while (taken < count && p.nextToken() == JsonToken.START_ARRAY) {
                if (row++ < skip) {
                    p.skipChildren();
                    continue;
                }
                Object[] values = new Object[kinds.length];
                for (int i = 0; i < kinds.length; i++) {
                    JsonToken t = p.nextToken();
                    values[i] = t == JsonToken.VALUE_NULL ? null : read(p, kinds[i]);
                }
                p.nextToken(); // ]
                out.add(new Row(values));
                taken++;
            }
        } catch (IOException e) {
            throw new IllegalStateException("a stored cursor page is unreadable: " + e.getMessage(), e);
        }
    }

    private static Object read(JsonParser p, Kind kind) throws IOException {
        return switch (kind) {
            case BOOLEAN -> p.getBooleanValue();
            case LONG -> p.getLongValue();
            case DOUBLE -> p.getDoubleValue();
            case DECIMAL -> new BigDecimal(p.getText());
            case INSTANT -> Instant.parse(p.getText());
            case LOCAL_DATE_TIME -> LocalDateTime.parse(p.getText());
            case DATE -> LocalDate.parse(p.getText());
            case UUID -> java.util.UUID.fromString(p.getText());
            case BYTES -> Base64.getDecoder().decode(p.getText());
            case STRING -> p.getText();
        };
    }

    /** A fetched row: the values and the shared column labels. */
    private final class Row implements CursorRow {
        private final Object[] values;

        Row(Object[] values) {
            this.values = values;
        }

        @Override
        public List<String> columns() {
            return labels;
        }

        @Override
        public Object get(int column) {
            if (column < 0 || column >= values.length) {
                throw new IllegalArgumentException("column " + column + " does not exist: expected 0 to "
                        + (values.length - 1));
            }
            return values[column];
        }

        @Override
        public Object get(String column) {
            Integer i = index.get(column.toLowerCase(Locale.ROOT));
            if (i == null) {
                throw new IllegalArgumentException("column '" + column + "' does not exist: expected one of " + labels);
            }
            return values[i];
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder("{");
            for (int i = 0; i < values.length; i++) {
                if (i > 0) b.append(", ");
                b.append(labels.get(i)).append('=')
                        .append(values[i] instanceof byte[] bytes ? bytes.length + " bytes" : values[i]);
            }
            return b.append('}').toString();
        }
    }
}
