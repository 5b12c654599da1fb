package dev.millrace.batch;

import dev.millrace.JobStatus;
import dev.millrace.Millrace;
import dev.millrace.TenantId;

import java.util.List;

/**
 * A batch: {@link #start} returns the record source, {@link #execute} runs once per chunk of up to
 * {@code scope} records (each chunk in its own transaction), and {@link #finish} runs once after every chunk,
 * even when some failed. Submit one with {@link Millrace#executeBatch(TenantId, Batchable, int)}.
 *
 * <p>The object's fields are its state, stored as JSON like a queueable's. Without {@link Stateful}, each chunk
 * and {@code finish} start from the state as it was after {@code start}; with it, the state each chunk leaves is
 * stored with that chunk's commit and handed to the next.
 *
 * <pre>{@code
 * public class CloseInvoices implements Batchable<Row> {
 *     public BatchSource<Row> start(BatchContext ctx) {
 *         return BatchSource.query("SELECT id, amount FROM invoice WHERE status = ?", "OPEN");
 *     }
 *     public void execute(BatchContext ctx, List<Row> scope) throws SQLException { ... }
 *     public void finish(BatchContext ctx) { ctx.log().info("closed"); }
 * }
 * }</pre>
 *
 * @param <T> the record type: {@link Row} for a query source, the items' type for an iterable
 */
public interface Batchable<T> {

    /** Runs once while the batch is {@link JobStatus#PREPARING} and returns the records to process. */
    BatchSource<T> start(BatchContext ctx) throws Exception;

    /**
     * Runs once per chunk, in the chunk's own transaction ({@link BatchContext#connection()}). An exception
     * rolls back this chunk only; it is counted, recorded with the chunk's record ids, and the batch goes on.
     */
    void execute(BatchContext ctx, List<T> scope) throws Exception;

    /** Runs once after every chunk (also when chunks failed), in its own transaction; not after an abort. */
    void finish(BatchContext ctx) throws Exception;

    /**
     * How many chunks of this batch may run at once, 1 (the default: one after another) to
     * {@value BatchSource#MAX_PARALLEL_CHUNKS}. Only a batch that is not {@link Stateful} may run chunks in
     * parallel.
     */
    default int maxParallelChunks() {
        return 1;
    }

    /**
     * The id by which a failed chunk's record is reported in the batch errors: a {@link Row}'s {@code id}
     * column (or its first column), any other record's string form.
     */
    default String recordId(T record) {
        if (record instanceof Row row) return String.valueOf(row.has("id") ? row.get("id") : row.get(0));
        return String.valueOf(record);
    }
}
