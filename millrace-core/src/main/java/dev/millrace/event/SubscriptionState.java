package dev.millrace.event;

/** Whether a subscription partition is delivered. */
public enum SubscriptionState {
    /** Delivered as events arrive. */
    ACTIVE,
    /** Not delivered after too many retries, until resumed (SPEC EVT-11). */
    SUSPENDED
}
