/**
 * Batch jobs (SPEC.md BAT): a {@link dev.millrace.batch.Batchable} returns a {@link dev.millrace.batch.BatchSource}
 * (a SQL query or an iterable) from {@code start}, handles it chunk by chunk in {@code execute}, each chunk in its
 * own transaction with fresh limits, and closes in {@code finish}; {@link dev.millrace.batch.Stateful} carries its
 * fields from chunk to chunk. Submit one with {@code Millrace.executeBatch} (or {@code scheduleBatch}), and follow
 * its chunks, errors and the tenant's flex queue with {@link dev.millrace.batch.Batches}, reached with
 * {@code Millrace.batches()}.
 */
package dev.millrace.batch;
