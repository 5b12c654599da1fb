package dev.millrace.internal.event;

import dev.millrace.event.ChannelDefinition;
import dev.millrace.event.Events;
import dev.millrace.event.FieldType;
import dev.millrace.event.PublishBehavior;

import java.util.Map;

/**
 * The channels the platform publishes on (SPEC EVT-17). Each is declared for a tenant the first time someone
 * subscribes to it or reads it; user code cannot declare or publish on them.
 */
final class SystemChannels {
    private static final Map<String, ChannelDefinition> DEFINITIONS = Map.of(
            Events.JOB_STATUS_CHANNEL, ChannelDefinition.named(Events.JOB_STATUS_CHANNEL)
                    .field("jobId", FieldType.ID, true)
                    .field("jobType", FieldType.STRING, true)
                    .field("tenant", FieldType.ID, true)
                    .field("oldStatus", FieldType.STRING, false)
                    .field("newStatus", FieldType.STRING, true)
                    .withBehavior(PublishBehavior.IMMEDIATE),
            // Published by the batch engine (BAT-18) through EventBus.publishSystem.
            Events.BATCH_ERROR_CHANNEL, ChannelDefinition.named(Events.BATCH_ERROR_CHANNEL)
                    .field("jobId", FieldType.ID, true)
                    .field("phase", FieldType.STRING, true)
                    .field("exceptionType", FieldType.STRING, false)
                    .field("message", FieldType.STRING, false)
                    .field("failedRecordIds", FieldType.STRING, false)
                    .withBehavior(PublishBehavior.IMMEDIATE),
            // Published by the scheduler through EventBus.publishSystem.
            Events.SCHEDULE_FIRE_CHANNEL, ChannelDefinition.named(Events.SCHEDULE_FIRE_CHANNEL)
                    .field("scheduleId", FieldType.ID, true)
                    .field("scheduleName", FieldType.STRING, false)
                    .field("fireTime", FieldType.DATE_TIME, true)
                    .field("jobId", FieldType.ID, false)
                    .withBehavior(PublishBehavior.IMMEDIATE),
            // Published after a flag switch commits (FLAG-4); oldValue is absent when the flag was new.
            Events.FLAG_CHANGE_CHANNEL, ChannelDefinition.named(Events.FLAG_CHANGE_CHANNEL)
                    .field("tenant", FieldType.ID, true)
                    .field("flag", FieldType.STRING, true)
                    .field("oldValue", FieldType.BOOLEAN, false)
                    .field("newValue", FieldType.BOOLEAN, true)
                    .field("changedBy", FieldType.STRING, true)
                    .field("changedAt", FieldType.DATE_TIME, true)
                    .withBehavior(PublishBehavior.IMMEDIATE));

    private SystemChannels() {
    }

    static boolean isSystem(String name) {
        return DEFINITIONS.containsKey(name);
    }

    static ChannelDefinition definition(String name) {
        return DEFINITIONS.get(name);
    }
}
