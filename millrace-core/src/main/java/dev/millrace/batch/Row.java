package dev.millrace.batch;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * One row of a batch's query source, by column label (case-insensitive) or position. Values are as they were
 * when the batch started: whole numbers as {@link Long}, other numbers as {@link BigDecimal} or
 * {@link Double}, timestamps as {@link Instant}, dates as {@link java.time.LocalDate}, text as
 * {@link String}, booleans, UUIDs, and null.
 */
public final class Row {
    private final List<String> columns;
    private final Map<String, Integer> index;
    private final Object[] values;

    /** A row with columns and their values (the engine builds rows; tests may too). */
    public Row(List<String> columns, Map<String, Integer> index, Object[] values) {
        this.columns = columns;
        this.index = index;
        this.values = values;
    }

    /** A row from column labels and values, for tests. */
    public static Row of(List<String> columns, Object... values) {
        if (columns.size() != values.length) {
            throw new IllegalArgumentException(columns.size() + " columns but " + values.length + " values: expected as many");
        }
        var index = new java.util.HashMap<String, Integer>();
        for (int i = 0; i < columns.size(); i++) index.put(columns.get(i).toLowerCase(java.util.Locale.ROOT), i);
        return new Row(List.copyOf(columns), Map.copyOf(index), values.clone());
    }

    /** The column labels in query order. */
    public List<String> columns() {
        return columns;
    }

    /** Whether the row has this column. */
    public boolean has(String column) {
        return index.containsKey(column.toLowerCase(java.util.Locale.ROOT));
    }

    /** The value of a column, by label. */
    public Object get(String column) {
        Integer i = index.get(column.toLowerCase(java.util.Locale.ROOT));
        if (i == null) {
            throw new NoSuchElementException("row has no column '" + column + "': expected one of " + columns);
        }
        return values[i];
    }

    /** The value of a column, by 0-based position. */
    public Object get(int position) {
        if (position < 0 || position >= values.length) {
            throw new IndexOutOfBoundsException("column " + position + " does not exist: expected 0 to " + (values.length - 1));
        }
        return values[position];
    }

    /** A whole-number column. */
    public Long getLong(String column) {
        Object v = get(column);
        return v == null ? null : ((Number) v).longValue();
    }

    /** A text column (any value's string form). */
    public String getString(String column) {
        Object v = get(column);
        return v == null ? null : v.toString();
    }

    /** A numeric column as a BigDecimal. */
    public BigDecimal getBigDecimal(String column) {
        Object v = get(column);
        if (v == null || v instanceof BigDecimal) return (BigDecimal) v;
        return new BigDecimal(v.toString());
    }

    @Override
    public String toString() {
        return "Row" + Arrays.toString(values);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Row r && columns.equals(r.columns) && Arrays.equals(values, r.values);
    }

    @Override
    public int hashCode() {
        return columns.hashCode() * 31 + Arrays.hashCode(values);
    }
}
