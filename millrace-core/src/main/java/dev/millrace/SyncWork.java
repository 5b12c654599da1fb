package dev.millrace;

/**
 * Application code run as a synchronous execution by {@link Millrace#runSynchronously}: with the synchronous
 * governor limits, in one transaction that commits when it returns.
 *
 * @param <T> what it returns
 */
@FunctionalInterface
public interface SyncWork<T> {

    /** Does the work; a thrown exception rolls the execution's transaction back. */
    T run(Execution execution) throws Exception;
}
