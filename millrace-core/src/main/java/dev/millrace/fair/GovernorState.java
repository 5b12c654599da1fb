package dev.millrace.fair;

/** What the node's resource governor does to async executions (SPEC.md FAIR-5). */
public enum GovernorState {
    /** Every worker may run jobs. */
    NORMAL,
    /** Heap or CPU is above its threshold: fewer jobs run at once, the tenants running the most held first. */
    THROTTLED,
    /** Heap is above the hard threshold: no new job is claimed until it falls. */
    SUSPENDED
}
