package dev.millrace.schedule;

/**
 * What a schedule does when it finds fire times missed, because no node was up (or all were busy) for longer
 * than the misfire threshold. Either way, it never fires once per missed occurrence.
 */
public enum MisfirePolicy {
    /** Fire once, as soon as a node is up, then continue on schedule (the default, as in Salesforce). */
    FIRE_ONCE,
    /** Skip the missed occurrences (counted as skipped) and continue at the next fire time after now. */
    SKIP
}
