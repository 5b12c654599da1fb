package dev.millrace.event;

/** The type of an event field, and the Java values a publisher may give for it. */
public enum FieldType {
    /** Text of at most {@link FieldDefinition#STRING_MAX_LENGTH} characters: a {@link String}. */
    STRING,
    /** A number: any {@link Number}; delivered as a {@link java.math.BigDecimal}. */
    NUMBER,
    /** A {@link Boolean}. */
    BOOLEAN,
    /** A point in time: an {@link java.time.Instant} or {@link java.time.OffsetDateTime}; delivered as an Instant. */
    DATE_TIME,
    /** An identifier: a non-blank {@link String} of at most {@link FieldDefinition#ID_MAX_LENGTH} characters, or a UUID. */
    ID,
    /** Long text of at most {@link FieldDefinition#LONG_TEXT_MAX_LENGTH} characters: a {@link String}. */
    LONG_TEXT
}
