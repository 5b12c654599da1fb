package dev.millrace.apikey;

import dev.millrace.TenantId;
import dev.millrace.UnknownTenantException;

import java.util.List;
import java.util.Optional;

/**
 * API keys of tenants, for the server's REST API. A key is {@code mr_<id>_<secret>} with 256 random bits of
 * secret; the store keeps only the SHA-256 hash of the secret, and authentication compares hashes in constant
 * time.
 */
public interface ApiKeys {

    /**
     * Issues a key for a tenant; the returned secret is shown only now.
     *
     * @param label what the key is for, up to 200 characters, or null
     * @throws UnknownTenantException when the tenant does not exist
     * @throws IllegalArgumentException when the label is too long
     */
    IssuedApiKey issue(TenantId tenant, String label);

    /** The tenant's keys, revoked ones included, oldest first. */
    List<ApiKey> list(TenantId tenant);

    /**
     * Revokes a key of the tenant; it stops authenticating at once.
     *
     * @return false when the tenant has no such key (or it was already revoked)
     */
    boolean revoke(TenantId tenant, String keyId);

    /** The active key a presented secret belongs to, or empty when it is unknown, malformed or revoked. */
    Optional<ApiKey> authenticate(String secret);
}
