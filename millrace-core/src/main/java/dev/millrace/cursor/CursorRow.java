package dev.millrace.cursor;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * One row of a {@link Cursor}, as it was when the cursor opened. Values are Java values of the column's type:
 * {@code Long} for integer columns, {@code BigDecimal} for exact numerics, {@code Double}, {@code Boolean},
 * {@code String}, {@code Instant} for timestamps, {@code LocalDate}, {@code UUID}, {@code byte[]}, or null.
 */
public interface CursorRow {

    /** The column labels, in query order. */
    List<String> columns();

    /**
     * The value of a column by its 0-based position.
     *
     * @throws IllegalArgumentException when there is no such column
     */
    Object get(int column);

    /**
     * The value of a column by its label (case-insensitive).
     *
     * @throws IllegalArgumentException when there is no such column, naming the ones there are
     */
    Object get(String column);

    /** A column as a string ({@code toString} of its value), or null. */
    default String getString(String column) {
        Object v = get(column);
        return v == null ? null : v.toString();
    }

    /** A numeric column as a long, or null. */
    default Long getLong(String column) {
        Object v = get(column);
        if (v == null) return null;
        if (v instanceof Number n) return n.longValue();
        throw new IllegalArgumentException("column '" + column + "' holds " + v.getClass().getSimpleName()
                + ": expected a number");
    }

    /** A numeric column as a BigDecimal, or null. */
    default BigDecimal getBigDecimal(String column) {
        Object v = get(column);
        if (v == null) return null;
        if (v instanceof BigDecimal b) return b;
        if (v instanceof Long l) return BigDecimal.valueOf(l);
        if (v instanceof Double d) return BigDecimal.valueOf(d);
        throw new IllegalArgumentException("column '" + column + "' holds " + v.getClass().getSimpleName()
                + ": expected a number");
    }

    /** A timestamp column as an instant, or null. */
    default Instant getInstant(String column) {
        Object v = get(column);
        if (v == null || v instanceof Instant) return (Instant) v;
        throw new IllegalArgumentException("column '" + column + "' holds " + v.getClass().getSimpleName()
                + ": expected a timestamp");
    }
}
