package dev.millrace.internal.store;

import dev.millrace.JobId;
import dev.millrace.JobRecord;
import dev.millrace.JobStatus;
import dev.millrace.TenantId;
import dev.millrace.batch.BatchError;

import java.sql.Connection;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The batch store: submission through the flex queue, chunks cut at start, each chunk's outcome committed
 * with its work, errors, and the end of a batch. Methods that take a {@link Connection} work in the caller's
 * transaction and never commit it; the others run in transactions of their own.
 */
public interface BatchStore {

    /** Where a submitted batch went. */
    enum Admission { QUEUED, HOLDING, SCHEDULED }

    /**
     * Submits a batch: QUEUED when the tenant has fewer than {@code maxActive} active batches, HOLDING at the
     * end of its flex queue otherwise, or SCHEDULED when it has a start time. Throws
     * {@link dev.millrace.limits.LimitException} and writes nothing when the flex queue holds {@code capacity} batches.
     */
    Admission submit(NewJob job, int scope, Instant notBefore, int maxActive, int capacity);

    /**
     * Submits a batch as {@link #submit(NewJob, int, Instant, int, int)} does, in the caller's transaction: the
     * batch exists only if that transaction commits, and the tenant's flex-queue lock is held until it ends.
     */
    Admission submit(Connection c, NewJob job, int scope, Instant notBefore, int maxActive, int capacity);

    /** How many batches hold in the tenant's flex queue now (read without its lock). */
    long holdingCount(TenantId tenant);

    /** Moves due scheduled batches into their flex queue and admits holding batches into free slots. */
    List<UUID> admit(TenantId tenant, int maxActive, Instant now);

    /**
     * Ends what is left of batches whose job ended outside their runner (the rescuer failed or aborted it, or it was
     * aborted while queued): their chunk jobs not ended are ABORTED (dropped if the batch was still in START, before
     * any chunk could run), their stored chunk records deleted and their flex-queue slot freed, as the runner's own
     * end does; also the records of batches whose runner ended them but did not get to delete them. Returns the chunk
     * jobs it marked ABORTED, per batch that had any.
     */
    List<ChunksAborted> endOrphaned(Instant now);

    /**
     * Chunk jobs of one batch that its end marked ABORTED without running them.
     *
     * @param tenant the batch's tenant
     * @param count how many
     * @param at when
     */
    record ChunksAborted(TenantId tenant, int count, Instant at) {
    }

    /** Deletes the batch rows and errors of batches whose job was pruned; returns how many batches. */
    int pruneOrphans();

    /** Tenants with batches scheduled or holding. */
    List<TenantId> waitingTenants();

    /** The batch as its runner needs it, or empty for a job that is not a batch. */
    Optional<BatchRow> load(UUID batch);

    /** Marks the batch PREPARING and deletes chunks a previous attempt cut; false when the attempt lost its lease. */
    boolean beginStart(TenantId tenant, UUID batch, int attempt, Instant now);

    /**
     * Adds cut chunks (their records and QUEUED chunk jobs) in a transaction of their own, fenced by the batch's
     * attempt: false, and nothing stored, when this attempt no longer owns the batch. The batch's total items
     * become {@code chunksSoFar} and its status PROCESSING once chunks exist, so chunks may run while the cut
     * goes on.
     */
    boolean addChunks(UUID batch, int attempt, TenantId tenant, String className, List<NewChunk> chunks,
                      int chunksSoFar, Instant now);

    /**
     * Ends START for a batch whose chunks run while its source is still being cut: the state after start and the
     * record type are stored and the phase becomes CUT (the status stays PREPARING until the first chunks are
     * stored); false when the lease was lost.
     */
    boolean beginCut(TenantId tenant, UUID batch, int attempt, String state, String recordType, Instant now);

    /** Ends CUT: total items and records are final and the phase becomes EXECUTE; false when the lease was lost. */
    boolean endCut(TenantId tenant, UUID batch, int attempt, int totalChunks, long totalRecords, Instant now);

    /** What the cut of a batch stored so far: how many chunks, holding how many records. */
    CutSoFar cutSoFar(UUID batch);

    /** The chunks a cut stored so far ({@code chunks} also the next chunk's sequence) and their records. */
    record CutSoFar(int chunks, long records) {
    }

    /**
     * Whether {@link #endChunk} is one statement, so a chunk whose work did not use its transaction can end in
     * autocommit: one round trip that is also the commit.
     */
    boolean endsChunkInOneStatement();

    /** Ends START: total items, the state after start, status PROCESSING; false when the lease was lost. */
    boolean beginExecute(TenantId tenant, UUID batch, int attempt, int totalChunks, long totalRecords, String recordType,
                         String state, Instant now);

    /** Chunks not yet ended, in chunk order from {@code fromSeq}, at most {@code max}. */
    List<ChunkRow> pendingChunks(TenantId tenant, UUID batch, int fromSeq, int max);

    /** Marks chunk jobs PROCESSING on this node (in their own transaction). */
    void markRunning(TenantId tenant, List<UUID> chunkJobs, String node, int attempt, Instant now);

    /**
     * Ends a chunk in the caller's transaction (its work commits with it): the chunk job's status, the batch's
     * counters, the stateful state, the next chunk marked running, an error row. False when this attempt no
     * longer owns the batch (nothing was written).
     */
    boolean endChunk(Connection c, ChunkEnd end);

    /**
     * Ends the batch in the caller's transaction: its status (keeping its counters and first error), chunks
     * not run marked ABORTED, an error row, then the flex queue moves on. Returns how many chunk jobs it marked
     * ABORTED, or empty when this attempt no longer owns the batch. Its chunk records go after the commit
     * ({@link #dropChunks}), or with {@link #endOrphaned}.
     */
    java.util.OptionalInt endBatch(Connection c, BatchEnd end, int maxActive);

    /**
     * Deletes an ended batch's chunk records, in a transaction of its own: after the end committed, so the batch's
     * end does not wait for tens of megabytes of them to go.
     */
    void dropChunks(UUID batch);

    /** Records an error in a transaction of its own. */
    void addError(TenantId tenant, BatchErrorRow error);

    /** Takes a HOLDING or SCHEDULED batch out of the flex queue as ABORTED; false when it is not waiting there. */
    boolean abortWaiting(TenantId tenant, UUID batch, Instant now);

    /** The tenant's flex queue, front first. */
    List<JobId> flexQueue(TenantId tenant);

    /** How many of the tenant's batches are admitted and not ended: what {@code maxActiveBatches} counts. */
    int activeBatches(TenantId tenant);

    /** Moves a holding batch to a position; false when it was already there. */
    boolean moveTo(TenantId tenant, UUID batch, int position);

    /** Moves a holding batch just before (or after) another holding batch; false when it was already there. */
    boolean moveNextTo(TenantId tenant, UUID batch, UUID other, boolean after);

    /** The batch's chunk jobs in chunk order. */
    List<JobRecord> chunks(TenantId tenant, UUID batch);

    /** The batch's errors, oldest first. */
    List<BatchError> errors(TenantId tenant, UUID batch);

    /**
     * A batch as stored beside its job.
     *
     * @param id the batch job
     * @param tenant its tenant
     * @param scope its chunk size
     * @param phase START, CUT (chunks run while the source is cut), EXECUTE or DONE
     * @param state the state after start (or after the last committed chunk of a stateful batch)
     * @param recordType the class of an iterable's items, or null for rows
     * @param totalChunks chunks cut
     */
    record BatchRow(UUID id, TenantId tenant, int scope, String phase, String state, String recordType, int totalChunks) {
    }

    /** A chunk to add: its position, its job id, its records as JSON. */
    record NewChunk(int seq, UUID jobId, int recordCount, String records) {
    }

    /** A chunk not yet ended; its job's earliest start is for the metrics of its end. */
    record ChunkRow(int seq, UUID jobId, String status, String records, Instant runAt) {
    }

    /**
     * One chunk's end.
     *
     * @param batch the batch
     * @param tenant its tenant (and its chunks')
     * @param attempt the batch attempt that ran it
     * @param chunkJob the chunk's job
     * @param status COMPLETED, FAILED or ABORTED
     * @param extendedStatus the error summary, or null
     * @param node this node
     * @param startedAt when the chunk began
     * @param endedAt when it ended
     * @param state the stateful state to store, or null to keep the stored one
     * @param nextChunkJob the chunk to mark running, or null
     * @param error an error row to add, or null
     */
    record ChunkEnd(UUID batch, TenantId tenant, int attempt, UUID chunkJob, JobStatus status, String extendedStatus, String node,
                    Instant startedAt, Instant endedAt, String state, UUID nextChunkJob, BatchErrorRow error) {
    }

    /**
     * A batch's end.
     *
     * @param batch the batch
     * @param tenant its tenant
     * @param attempt the attempt that ran it
     * @param status COMPLETED, FAILED or ABORTED
     * @param extendedStatus the summary to record when none is recorded yet, or null
     * @param endedAt when it ended
     * @param error an error row to add, or null
     */
    record BatchEnd(UUID batch, TenantId tenant, int attempt, JobStatus status, String extendedStatus, Instant endedAt,
                    BatchErrorRow error) {
    }

    /** An error to record; see {@link BatchError}. */
    record BatchErrorRow(UUID batch, UUID chunkJob, dev.millrace.batch.BatchPhase phase, String exceptionType, String message,
                         String stackTrace, String failedRecordIds, boolean scopeTruncated, Instant at) {
    }
}
