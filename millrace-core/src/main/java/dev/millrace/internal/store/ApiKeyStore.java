package dev.millrace.internal.store;

import dev.millrace.TenantId;
import dev.millrace.apikey.ApiKey;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** API keys: rows with the hash of each key's secret, never the secret. */
public interface ApiKeyStore {

    /** Stores a new key with the hex SHA-256 of its secret. */
    void insert(ApiKey key, String secretHash);

    /** The tenant's keys, oldest first. */
    List<ApiKey> list(TenantId tenant);

    /** Marks an active key of the tenant revoked; false when there is none. */
    boolean revoke(TenantId tenant, String id, Instant now);

    /** An active key by id, with its stored secret hash. */
    Optional<StoredKey> findActive(String id);

    /**
     * A key and its stored hash.
     *
     * @param key the key
     * @param secretHash the hex SHA-256 of its secret
     */
    record StoredKey(ApiKey key, String secretHash) {
    }
}
