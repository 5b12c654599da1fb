package dev.millrace;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The id of a tenant: an isolated customer of the platform. Every job row carries one.
 *
 * @param value 1 to 64 characters of letters, digits, {@code _}, {@code -} and {@code .}
 */
public record TenantId(String value) {
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    /** Validates the value. */
    public TenantId {
        Objects.requireNonNull(value, "tenant id must not be null");
        if (!VALID.matcher(value).matches()) {
            throw new IllegalArgumentException("tenant id '" + value
                    + "' is invalid: expected 1 to 64 characters of letters, digits, '_', '-' or '.'");
        }
    }

    /** Shorthand for {@code new TenantId(value)}. */
    public static TenantId of(String value) {
        return new TenantId(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
