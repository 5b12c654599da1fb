package dev.millrace.internal.event;

import dev.millrace.internal.store.EventStore.NewEvent;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** After-commit events of one transaction, by channel id (appended in channel order, so no two commits deadlock). */
public final class PendingEvents {
    final Map<Long, List<NewEvent>> byChannel = new TreeMap<>();

    void add(long channelId, List<NewEvent> events) {
        byChannel.computeIfAbsent(channelId, k -> new ArrayList<>()).addAll(events);
    }

    /** Whether nothing waits. */
    public boolean isEmpty() {
        return byChannel.isEmpty();
    }
}
