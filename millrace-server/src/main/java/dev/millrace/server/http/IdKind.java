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
    API_KEY
}
