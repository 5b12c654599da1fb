package dev.millrace.batch;

/**
 * Marks a {@link Batchable} whose fields carry over from chunk to chunk: the state is stored with each
 * committed chunk, so after a crash the batch resumes at the chunk that was running with the state as of the
 * last committed chunk. A chunk that fails leaves the state as it was before it.
 */
public interface Stateful {
}
