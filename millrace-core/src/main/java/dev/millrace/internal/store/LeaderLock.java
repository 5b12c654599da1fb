package dev.millrace.internal.store;

import java.util.function.Supplier;

/** Runs work on at most one node at a time (an advisory lock on PostgreSQL). */
public interface LeaderLock {

    /**
     * Runs the work if this node can take the named lock now, and returns its result; returns null
     * without running it when another node holds the lock.
     */
    <T> T ifLeader(String name, Supplier<T> work);
}
