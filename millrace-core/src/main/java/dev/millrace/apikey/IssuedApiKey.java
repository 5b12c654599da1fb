package dev.millrace.apikey;

/**
 * A newly issued API key with its secret: the only time the secret is shown. Only a hash of it is stored.
 *
 * @param key the key's record
 * @param secret the whole key to present as {@code Authorization: Bearer <secret>}
 */
public record IssuedApiKey(ApiKey key, String secret) {
    @Override
    public String toString() {
        // Never log the secret by accident.
        return "IssuedApiKey[" + key + "]";
    }
}
