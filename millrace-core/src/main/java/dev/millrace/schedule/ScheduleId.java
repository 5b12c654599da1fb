package dev.millrace.schedule;

import dev.millrace.Millrace;

import java.util.Objects;
import java.util.UUID;

/**
 * The id of a schedule (Salesforce's trigger id): opaque to callers, unique across tenants, stable for the
 * life of the schedule. {@link Millrace#schedule} returns it; the schedule's jobs see it in their context.
 *
 * @param value the id's text
 */
public record ScheduleId(String value) {

    /** Validates the value. */
    public ScheduleId {
        Objects.requireNonNull(value, "schedule id must not be null");
        try {
            UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("schedule id '" + value + "' is invalid: expected an id returned by"
                    + " schedule, such as 0193a5e2-7c1b-7d4e-9a4f-1c2d3e4f5a6b");
        }
    }

    /** Parses a schedule id, with an error naming the text when it is not one. */
    public static ScheduleId of(String value) {
        return new ScheduleId(value);
    }

    /** The schedule id of a UUID. */
    public static ScheduleId of(UUID uuid) {
        return new ScheduleId(uuid.toString());
    }

    /** The id as a UUID, for the store. */
    public UUID uuid() {
        return UUID.fromString(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
