package dev.millrace.server.http;

/**
 * What a path parameter names. The cross-tenant test makes one object of each kind for one tenant and asks for
 * it with another tenant's key on every route that takes that kind, so a new kind needs a fixture there.
 */
public enum IdKind {
    /** A tenant id (admin routes). */
    TENANT,
    /** A job id. */
    JOB,
    /** An API key id. */
    API_KEY,
    /** A batch's job id (a job id that names a batch). */
    BATCH,
    /** A schedule id. */
    SCHEDULE,
    /** A channel name: names are per tenant, so another tenant's channel of that name is a different one. */
    CHANNEL,
    /** A subscription name, per tenant like a channel's. */
    SUBSCRIPTION,
    /**
     * A feature flag name. Unlike the kinds above it names no object another tenant could own: any tenant may set a
     * flag of any name, and setting it changes that tenant's flag only (the cross-tenant test checks exactly that).
     */
    FLAG
}
