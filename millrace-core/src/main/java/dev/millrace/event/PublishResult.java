package dev.millrace.event;

import java.util.Optional;
import java.util.UUID;

/**
 * The outcome of publishing one event (SPEC EVT-3): published, with its event UUID and (once known) replay id,
 * or refused, with an error code, the field at fault and a message. Publishing never throws for one bad event.
 *
 * @param eventUuid the published event's unique id, or null when refused
 * @param replayId the event's replay id, or null when refused or not known yet (published after commit from inside
 *                 a job: the id is assigned when the job commits)
 * @param errorCode null when published; otherwise {@code REQUIRED_FIELD_MISSING}, {@code INVALID_FIELD_VALUE},
 *                  {@code UNKNOWN_FIELD}, {@code UNKNOWN_CHANNEL}, {@code ACCESS_DENIED} or {@link #LIMIT_EXCEEDED}
 * @param field the field at fault, or null
 * @param message what was wrong and what was expected, or null when published
 */
public record PublishResult(UUID eventUuid, Long replayId, String errorCode, String field, String message) {
    /** The tenant's hourly publishing allocation ({@link EventPolicy#publishPerHour()}) is used up (SPEC EVT-16). */
    public static final String LIMIT_EXCEEDED = "LIMIT_EXCEEDED";

    /** A published event. */
    public static PublishResult published(UUID eventUuid, Long replayId) {
        return new PublishResult(eventUuid, replayId, null, null, null);
    }

    /** A refused event. */
    public static PublishResult refused(String errorCode, String field, String message) {
        return new PublishResult(null, null, errorCode, field, message);
    }

    /** Whether the event was published. */
    public boolean isSuccess() {
        return errorCode == null;
    }

    /** The replay id, when known. */
    public Optional<Long> replay() {
        return Optional.ofNullable(replayId);
    }
}
