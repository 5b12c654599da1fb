package dev.millrace;

import java.util.Objects;
import java.util.UUID;

/**
 * The id of a job: opaque to callers, unique across tenants and stable for the life of the row.
 * It is what {@code enqueue} returns, what the job sees in its context and what the job table shows.
 *
 * @param value the id's text
 */
public record JobId(String value) {

    /** Validates the value. */
    public JobId {
        Objects.requireNonNull(value, "job id must not be null");
        // The canonical form (what enqueue returns) is checked without parsing; other forms go to the parser.
        if (!isCanonical(value)) try {
            UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("job id '" + value + "' is invalid: expected an id returned by enqueue,"
                    + " such as 0193a5e2-7c1b-7d4e-9a4f-1c2d3e4f5a6b");
        }
    }

    /** Whether the text is a UUID's canonical form: 36 characters, hex digits and hyphens at 8, 13, 18 and 23. */
    private static boolean isCanonical(String value) {
        if (value.length() != 36) return false;
        for (int i = 0; i < 36; i++) {
            char c = value.charAt(i);
            boolean ok = i == 8 || i == 13 || i == 18 || i == 23
                    ? c == '-'
                    : c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
            if (!ok) return false;
        }
        return true;
    }

    /** Parses a job id, with an error naming the text when it is not one. */
    public static JobId of(String value) {
        return new JobId(value);
    }

    /** The id as a UUID, for the store. */
    public UUID uuid() {
        return UUID.fromString(value);
    }

    /** The job id of a UUID. */
    public static JobId of(UUID uuid) {
        return new JobId(uuid.toString());
    }

    @Override
    public String toString() {
        return value;
    }
}
