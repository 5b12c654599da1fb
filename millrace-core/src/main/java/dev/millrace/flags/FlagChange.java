package dev.millrace.flags;

import dev.millrace.TenantId;

import java.time.Instant;

/**
 * One audited change of a feature flag (SPEC FLAG-4): who switched it, when, and from what to what. Written in
 * the switch's transaction, only when the value changed or the flag got its first stored value.
 *
 * @param tenant the flag's tenant
 * @param flag the flag's name
 * @param oldValue the value before, or {@code null} when the flag had no stored value (it read {@code false})
 * @param newValue the value after
 * @param changedBy who switched it (the {@code changedBy} given to {@link FeatureFlags#set(TenantId, String,
 *        boolean, String)}; for the three-argument form {@value FeatureFlags#DEFAULT_CHANGED_BY}, or the identity an
 *        event handler runs as when it switched the flag)
 * @param changedAt when, by the node's clock
 */
public record FlagChange(TenantId tenant, String flag, Boolean oldValue, boolean newValue, String changedBy,
                         Instant changedAt) {
}
