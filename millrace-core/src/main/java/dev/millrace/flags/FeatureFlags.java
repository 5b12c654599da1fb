package dev.millrace.flags;

import dev.millrace.ExecutionContext;
import dev.millrace.JobStatus;
import dev.millrace.Millrace;
import dev.millrace.TenantId;
import dev.millrace.UnknownTenantException;

import java.util.List;
import java.util.Map;

/**
 * Feature flags: named booleans per tenant, switched at runtime ({@code millrace.flags()}). An unknown flag
 * reads {@code false}. Jobs read flags with {@link ExecutionContext#flag(String)}; a job class bound to a flag
 * ({@link Millrace.Builder#bindToFlag(Class, String)}) waits {@link JobStatus#HOLDING} while the flag is off.
 *
 * <p>A switch is stored at once and applied to bound jobs in the same transaction. Reads are cached: the node
 * that switched sees the new value at once, other nodes within {@link Millrace.Builder#DEFAULT_FLAG_CACHE_TIME}
 * (the cache time), and a running execution keeps the value it read first.
 *
 * <p>Every switch that changes a flag's value (or gives it its first stored value) is audited in the same
 * transaction ({@link #history}) and published on the system channel
 * {@value dev.millrace.event.Events#FLAG_CHANGE_CHANNEL} when the tenant subscribes to it.
 */
public interface FeatureFlags {

    /**
     * Who the three-argument {@link #set(TenantId, String, boolean)} records as having switched a flag, outside an
     * event handler (inside one, the identity the handler runs as: {@link dev.millrace.event.DeliveryContext#runAs()}).
     */
    String DEFAULT_CHANGED_BY = "api";

    /** How many changes {@link #history} returns at most. */
    int HISTORY_LIMIT = 100;

    /**
     * Whether the flag is on for the tenant (cached; see above).
     *
     * @throws IllegalArgumentException when the name is not 1 to 100 letters, digits, '.', '-' or '_'
     */
    boolean isEnabled(TenantId tenant, String name);

    /**
     * Switches a flag for a tenant, audited as changed by {@value #DEFAULT_CHANGED_BY}, or, from an event handler
     * during its delivery, by the identity the handler runs as (SPEC EVT-9). Switching it off moves the
     * tenant's ready jobs of the bound classes to {@link JobStatus#HOLDING}; switching it on releases them to
     * {@link JobStatus#QUEUED}. Jobs already running are not touched.
     *
     * @return how many jobs were held or released
     * @throws UnknownTenantException when the tenant does not exist
     */
    default int set(TenantId tenant, String name, boolean enabled) {
        return set(tenant, name, enabled, DEFAULT_CHANGED_BY);
    }

    /**
     * Switches a flag for a tenant as {@link #set(TenantId, String, boolean)} does, recording {@code changedBy} in
     * the audit ({@link #history}) when the value changes; setting the value the flag already has records nothing.
     *
     * @param changedBy who switches it (a user, an API key id, a tool): 1 to 200 characters, not blank
     * @return how many jobs were held or released
     * @throws IllegalArgumentException when the name is invalid or {@code changedBy} is blank or too long
     * @throws UnknownTenantException when the tenant does not exist
     */
    int set(TenantId tenant, String name, boolean enabled, String changedBy);

    /**
     * The audited changes of a flag, newest first, at most {@value #HISTORY_LIMIT} (empty for a flag never
     * switched).
     *
     * @throws IllegalArgumentException when the name is not 1 to 100 letters, digits, '.', '-' or '_'
     * @throws UnknownTenantException when the tenant does not exist
     */
    List<FlagChange> history(TenantId tenant, String name);

    /** The tenant's flags that have a stored value, by name (uncached). */
    Map<String, Boolean> list(TenantId tenant);
}
