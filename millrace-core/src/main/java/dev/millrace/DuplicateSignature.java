package dev.millrace;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A job's duplicate signature: while a job with the same signature is active (queued, holding, preparing or
 * processing) in the same tenant, another enqueue with it fails with {@link DuplicateJobException}.
 * Built from strings, ids and integers, up to {@value #MAX_BYTES} bytes.
 *
 * @param value the signature's text as stored
 */
public record DuplicateSignature(String value) {
    /** The largest signature, in bytes of its stored form. */
    public static final int MAX_BYTES = 256;

    /** Validates the value. */
    public DuplicateSignature {
        Objects.requireNonNull(value, "signature");
        int size = value.getBytes(StandardCharsets.UTF_8).length;
        if (size == 0 || size > MAX_BYTES) {
            throw new IllegalArgumentException("duplicate signature of " + size + " bytes is out of range: expected 1 to "
                    + MAX_BYTES + " bytes");
        }
    }

    /** The signature's parts as a person reads them, without the kind tags: {@code invoice|42}. */
    @Override
    public String toString() {
        return readable(value);
    }

    /** A stored signature's parts without their kind tags, for messages. */
    public static String readable(String stored) {
        return stored == null ? null : stored.replaceAll("(^|\\|)[siju]:", "$1");
    }

    /** A builder that adds parts one by one. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a signature part by part; each part is tagged with its kind so "1" and 1 differ. */
    public static final class Builder {
        private final StringBuilder text = new StringBuilder();
        private int size;

        private Builder() {
        }

        /** Adds a string. */
        public Builder add(String part) {
            return append("s:" + Objects.requireNonNull(part, "signature part"));
        }

        /** Adds an integer. */
        public Builder add(long part) {
            return append("i:" + part);
        }

        /** Adds an id. */
        public Builder add(JobId id) {
            return append("j:" + id.value());
        }

        /** Adds an id of any kind. */
        public Builder add(java.util.UUID id) {
            return append("u:" + id);
        }

        private Builder append(String part) {
            String piece = (text.isEmpty() ? "" : "|") + part;
            int bytes = piece.getBytes(StandardCharsets.UTF_8).length;
            if (size + bytes > MAX_BYTES) {
                throw new IllegalArgumentException("duplicate signature would be " + (size + bytes)
                        + " bytes: the maximum is " + MAX_BYTES + " bytes (" + remaining() + " remaining)");
            }
            text.append(piece);
            size += bytes;
            return this;
        }

        /** The bytes used so far. */
        public int size() {
            return size;
        }

        /** The bytes still free. */
        public int remaining() {
            return MAX_BYTES - size;
        }

        /** The maximum size in bytes. */
        public int maxSize() {
            return MAX_BYTES;
        }

        /** The signature; at least one part must have been added. */
        public DuplicateSignature build() {
            if (text.isEmpty()) {
                throw new IllegalStateException("duplicate signature is empty: add at least one part");
            }
            return new DuplicateSignature(text.toString());
        }
    }
}
