package dev.millrace.event;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A channel of one tenant: its name, the typed fields of its events, its publish behaviour and how long its
 * events are kept. Immutable; build it with {@link #named(String)} and the {@code with…} methods.
 *
 * <pre>{@code
 * ChannelDefinition orders = ChannelDefinition.named("OrderPlaced")
 *         .field("orderId", FieldType.ID, true)
 *         .field("amount", FieldType.NUMBER, true)
 *         .field("note", FieldType.STRING, false);
 * }</pre>
 *
 * @param name the channel's name: a letter, then letters, digits or '_', at most 100 characters
 * @param fields the fields, names unique
 * @param behavior after commit (default) or immediately
 * @param retention how long an event is kept after it is published (at least 1 minute), or null (the default) for the
 *                  tenant's {@link EventPolicy#retentionHours()}, 72 hours unless an operator set another
 */
public record ChannelDefinition(String name, List<FieldDefinition> fields, PublishBehavior behavior,
                                Duration retention) {
    /** How long events are kept unless the channel or the tenant's policy says otherwise (SPEC EVT-5). */
    public static final Duration DEFAULT_RETENTION = Duration.ofHours(72);
    /** Most fields a channel may have. */
    public static final int MAX_FIELDS = 100;

    /** Checks every part, naming what was wrong. */
    public ChannelDefinition {
        if (name == null || !name.matches("[A-Za-z][A-Za-z0-9_]{0,99}")) {
            throw new IllegalArgumentException("channel name '" + name
                    + "' is invalid: expected a letter then up to 99 letters, digits or '_'");
        }
        fields = List.copyOf(Objects.requireNonNull(fields, "fields"));
        if (fields.size() > MAX_FIELDS) {
            throw new IllegalArgumentException("channel " + name + " has " + fields.size() + " fields: expected at most "
                    + MAX_FIELDS);
        }
        Set<String> seen = new HashSet<>();
        for (FieldDefinition f : fields) {
            if (!seen.add(f.name())) {
                throw new IllegalArgumentException("channel " + name + " declares field '" + f.name()
                        + "' twice: expected unique field names");
            }
        }
        Objects.requireNonNull(behavior, "behavior");
        if (retention != null && retention.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new IllegalArgumentException("retention " + retention + " of channel " + name
                    + " is out of range: expected at least 1 minute");
        }
    }

    /** A channel with no fields yet, published after commit, kept as long as the tenant's policy says (72 hours). */
    public static ChannelDefinition named(String name) {
        return new ChannelDefinition(name, List.of(), PublishBehavior.AFTER_COMMIT, null);
    }

    /** A copy with one more field. */
    public ChannelDefinition field(String fieldName, FieldType type, boolean required) {
        List<FieldDefinition> more = new ArrayList<>(fields);
        more.add(new FieldDefinition(fieldName, type, required));
        return new ChannelDefinition(name, more, behavior, retention);
    }

    /** A copy with another publish behaviour. */
    public ChannelDefinition withBehavior(PublishBehavior b) {
        return new ChannelDefinition(name, fields, b, retention);
    }

    /** A copy with another retention (null: the tenant's policy). */
    public ChannelDefinition withRetention(Duration r) {
        return new ChannelDefinition(name, fields, behavior, r);
    }

    /** The field of that name, if declared. */
    public Optional<FieldDefinition> fieldNamed(String fieldName) {
        for (FieldDefinition f : fields) if (f.name().equals(fieldName)) return Optional.of(f);
        return Optional.empty();
    }
}
