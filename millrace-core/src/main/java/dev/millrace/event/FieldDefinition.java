package dev.millrace.event;

import java.util.Objects;

/**
 * One field of a channel's events.
 *
 * @param name the field's name: a letter, then letters, digits or '_', at most 100 characters
 * @param type its type
 * @param required whether every event must carry a value for it
 */
public record FieldDefinition(String name, FieldType type, boolean required) {
    /** Longest value of a {@link FieldType#STRING} field. */
    public static final int STRING_MAX_LENGTH = 255;
    /** Longest value of a {@link FieldType#LONG_TEXT} field (Salesforce's long text area). */
    public static final int LONG_TEXT_MAX_LENGTH = 131_072;
    /** Longest value of an {@link FieldType#ID} field. */
    public static final int ID_MAX_LENGTH = 100;

    /** Checks the name and type. */
    public FieldDefinition {
        if (name == null || !name.matches("[A-Za-z][A-Za-z0-9_]{0,99}")) {
            throw new IllegalArgumentException("field name '" + name
                    + "' is invalid: expected a letter then up to 99 letters, digits or '_'");
        }
        Objects.requireNonNull(type, "type of field " + name);
    }
}
