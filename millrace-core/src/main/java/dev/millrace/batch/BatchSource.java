package dev.millrace.batch;

import dev.millrace.Millrace;
import dev.millrace.limits.LimitProfile;

import java.util.List;
import java.util.Objects;

/**
 * The records a batch's {@code start} returns: a SQL query, streamed with a server-side cursor and never held
 * in memory whole (up to {@value #MAX_QUERY_ROWS} rows), or an {@link Iterable} (up to the tenant's query-row
 * limit, {@value #MAX_ITERABLE_ROWS} items by default).
 *
 * @param <T> the record type
 */
public sealed interface BatchSource<T> permits BatchSource.Query, BatchSource.Items {
    /** The default chunk size. */
    int DEFAULT_SCOPE = 200;
    /** The largest chunk size of a query source. */
    int MAX_QUERY_SCOPE = 2_000;
    /** The most rows a query source may yield. */
    long MAX_QUERY_ROWS = 50_000_000L;
    /**
     * The most items an iterable source may yield by default: the default query-row limit. A tenant's own limit is
     * its policy's {@code asyncLimits.queryRows} ({@link LimitProfile#queryRows()}).
     */
    int MAX_ITERABLE_ROWS = 50_000;
    /** The most chunks of one batch that may run at once. */
    int MAX_PARALLEL_CHUNKS = 16;

    /** A query on the Millrace database; {@code ?} parameters take {@code params} in order. */
    static Query query(String sql, Object... params) {
        return new Query(null, sql, List.of(params));
    }

    /**
     * A query on a data source the application registered with
     * {@link Millrace.Builder#applicationDataSource(String, javax.sql.DataSource)}.
     */
    static Query query(String dataSource, String sql, Object... params) {
        return new Query(Objects.requireNonNull(dataSource, "dataSource"), sql, List.of(params));
    }

    /** The items of an iterable, each stored as JSON with its chunk. */
    static <T> Items<T> of(Iterable<T> items) {
        return new Items<>(items);
    }

    /**
     * A query source: its rows, as {@link Row}s, are copied chunk by chunk as the batch starts, so chunks see
     * the rows as they were then.
     *
     * @param dataSource the registered data source's name, or null for the Millrace database
     * @param sql the query
     * @param params its parameters (simple values)
     */
    record Query(String dataSource, String sql, List<Object> params) implements BatchSource<Row> {
        /** Checks the query is there. */
        public Query {
            if (sql == null || sql.isBlank()) {
                throw new IllegalArgumentException("batch query is empty: expected a SELECT statement");
            }
            params = List.copyOf(params);
        }
    }

    /**
     * An iterable source.
     *
     * @param items the items
     * @param <T> their type
     */
    record Items<T>(Iterable<T> items) implements BatchSource<T> {
        /** Checks the iterable is there. */
        public Items {
            Objects.requireNonNull(items, "items");
        }
    }
}
