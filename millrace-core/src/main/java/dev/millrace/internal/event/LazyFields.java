package dev.millrace.internal.event;

import dev.millrace.event.ChannelDefinition;

import java.util.AbstractMap;
import java.util.Map;
import java.util.Set;

/**
 * An event's values, parsed from its stored JSON on first use: a handler that looks only at some events (or
 * only at replay ids) does not pay for parsing the rest. Read-only.
 */
final class LazyFields extends AbstractMap<String, Object> {
    private final EventCodec codec;
    private final ChannelDefinition definition;
    private final String payload;
    private Map<String, Object> parsed;

    LazyFields(EventCodec codec, ChannelDefinition definition, String payload) {
        this.codec = codec;
        this.definition = definition;
        this.payload = payload;
    }

    private Map<String, Object> parsed() {
        if (parsed == null) parsed = codec.read(definition, payload);
        return parsed;
    }

    @Override
    public Object get(Object key) {
        return parsed().get(key);
    }

    @Override
    public boolean containsKey(Object key) {
        return parsed().containsKey(key);
    }

    @Override
    public int size() {
        return parsed().size();
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
        return parsed().entrySet();
    }
}
