package dev.millrace.internal.engine;

import dev.millrace.TenantId;
import dev.millrace.apikey.ApiKey;
import dev.millrace.apikey.ApiKeys;
import dev.millrace.apikey.IssuedApiKey;
import dev.millrace.internal.store.ApiKeyStore;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * API keys: {@code mr_<id>_<secret>}, 64 random bits of id and 256 of secret. The id finds the row; the
 * secret's SHA-256 is compared with the stored one by {@link MessageDigest#isEqual}, which takes the same
 * time wherever the hashes differ. A fast hash is enough: the secret has 256 random bits, so there is no
 * dictionary to slow down.
 */
final class ApiKeysImpl implements ApiKeys {
    /** The form of a key; anything else is refused before the store is asked. */
    static final Pattern FORMAT = Pattern.compile("mr_([0-9a-f]{16})_([A-Za-z0-9_-]{43})");
    static final int MAX_LABEL = 200;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ApiKeyStore store;
    private final TenantPolicies policies;
    private final InstantSource clock;

    ApiKeysImpl(ApiKeyStore store, TenantPolicies policies, InstantSource clock) {
        this.store = store;
        this.policies = policies;
        this.clock = clock;
    }

    @Override
    public IssuedApiKey issue(TenantId tenant, String label) {
        Objects.requireNonNull(tenant, "tenant");
        if (label != null && label.length() > MAX_LABEL) {
            throw new IllegalArgumentException("label of " + label.length() + " characters is too long: expected at most "
                    + MAX_LABEL);
        }
        policies.get(tenant);
        byte[] idBytes = new byte[8];
        byte[] secretBytes = new byte[32];
        RANDOM.nextBytes(idBytes);
        RANDOM.nextBytes(secretBytes);
        String id = HexFormat.of().formatHex(idBytes);
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(secretBytes);
        ApiKey key = new ApiKey(id, tenant, label, clock.instant(), null);
        store.insert(key, HexFormat.of().formatHex(sha256(secret)));
        return new IssuedApiKey(key, "mr_" + id + "_" + secret);
    }

    @Override
    public List<ApiKey> list(TenantId tenant) {
        return store.list(Objects.requireNonNull(tenant, "tenant"));
    }

    @Override
    public boolean revoke(TenantId tenant, String keyId) {
        if (keyId == null || !keyId.matches("[0-9a-f]{16}")) return false;
        return store.revoke(Objects.requireNonNull(tenant, "tenant"), keyId, clock.instant());
    }

    @Override
    public Optional<ApiKey> authenticate(String presented) {
        if (presented == null) return Optional.empty();
        Matcher m = FORMAT.matcher(presented);
        if (!m.matches()) return Optional.empty();
        Optional<ApiKeyStore.StoredKey> stored = store.findActive(m.group(1));
        byte[] given = sha256(m.group(2));
        // Compare even when the id is unknown, so an unknown id and a wrong secret take about the same time.
        byte[] expected = stored.map(s -> HexFormat.of().parseHex(s.secretHash())).orElseGet(() -> new byte[32]);
        boolean equal = MessageDigest.isEqual(expected, given);
        return equal && stored.isPresent() ? Optional.of(stored.get().key()) : Optional.empty();
    }

    static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
