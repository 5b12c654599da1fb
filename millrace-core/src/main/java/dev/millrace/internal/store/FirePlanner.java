package dev.millrace.internal.store;

import java.time.Instant;

/**
 * Decides, for each due schedule a node claimed, what the occurrence does. Called inside the claiming
 * transaction; it must not touch the database.
 */
@FunctionalInterface
public interface FirePlanner {

    /** What one claimed occurrence does. */
    sealed interface Decision {
    }

    /**
     * Enqueue the job for the occurrence and move on.
     *
     * @param job the SCHEDULED job
     * @param fireTime the occurrence fired
     * @param next the next fire time, or null when there is none (the schedule completes)
     * @param skipped later occurrences already past that are passed over (counted as skipped)
     */
    record Fire(NewJob job, Instant fireTime, Instant next, int skipped) implements Decision {
    }

    /**
     * Enqueue nothing, count the occurrences as skipped, and move on.
     *
     * @param next the next fire time, or null when there is none
     * @param skipped how many occurrences this passes over (at least the one due)
     */
    record Skip(Instant next, int skipped) implements Decision {
    }

    /**
     * Pause the schedule, recording why (its state can no longer be rebuilt).
     *
     * @param error the reason, kept on the schedule
     */
    record Pause(String error) implements Decision {
    }

    /** The decision for one due schedule (its row as claimed). */
    Decision plan(ScheduleRow due);
}
