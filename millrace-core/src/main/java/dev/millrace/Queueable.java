package dev.millrace;

/**
 * A job whose fields are its state. The object is serialised to JSON at enqueue and rebuilt before
 * {@link #execute}; {@code transient} fields come back as their type's default. A queueable needs a
 * no-argument constructor (of any visibility) or must be a record.
 *
 * <p>Register each queueable class with {@link Millrace.Builder#register(Class)} on every node that runs it.
 */
@FunctionalInterface
public interface Queueable {

    /**
     * Runs the job. An exception rolls back everything the job did through its context (its connection,
     * its chained child) and marks the job {@link JobStatus#FAILED}; the finalizer, if any, runs after.
     *
     * @param context the job's id, its transaction, chaining and its log
     * @throws Exception any failure; it fails the job
     */
    void execute(QueueableContext context) throws Exception;
}
