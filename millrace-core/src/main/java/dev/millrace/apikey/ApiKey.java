package dev.millrace.apikey;

import dev.millrace.TenantId;

import java.time.Instant;

/**
 * An API key of a tenant, as listings show it: never its secret, which only {@link IssuedApiKey} carries, once.
 *
 * @param id the key's id (also the visible part of the key itself)
 * @param tenant the tenant the key acts for
 * @param label what the key is for, or null
 * @param createdAt when it was issued
 * @param revokedAt when it was revoked, or null while it is valid
 */
public record ApiKey(String id, TenantId tenant, String label, Instant createdAt, Instant revokedAt) {
    /** Whether the key still authenticates. */
    public boolean active() {
        return revokedAt == null;
    }
}
