package dev.millrace.server.http;

/** Who may call a route. */
public enum Access {
    /** Anyone: health, metrics, the OpenAPI document. */
    PUBLIC,
    /** Only the admin key from the server's configuration. */
    ADMIN,
    /**
     * A tenant's key, acting for its tenant; or the admin key naming the tenant in the {@value Auth#TENANT_HEADER}
     * header. Every id in such a route's path is looked up within that tenant only.
     */
    TENANT
}
