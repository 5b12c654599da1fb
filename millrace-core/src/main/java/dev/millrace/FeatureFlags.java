package dev.millrace;

import java.util.Map;

/**
 * Feature flags: named booleans per tenant, switched at runtime ({@code millrace.flags()}). An unknown flag
 * reads {@code false}. Jobs read flags with {@link ExecutionContext#flag(String)}; a job class bound to a flag
 * ({@link Millrace.Builder#bindToFlag(Class, String)}) waits {@link JobStatus#HOLDING} while the flag is off.
 *
 * <p>A switch is stored at once and applied to bound jobs in the same transaction. Reads are cached: the node
 * that switched sees the new value at once, other nodes within {@link Millrace.Builder#DEFAULT_FLAG_CACHE_TIME}
 * (the cache time), and a running execution keeps the value it read first.
 */
public interface FeatureFlags {

    /**
     * Whether the flag is on for the tenant (cached; see above).
     *
     * @throws IllegalArgumentException when the name is not 1 to 100 letters, digits, '.', '-' or '_'
     */
    boolean isEnabled(TenantId tenant, String name);

    /**
     * Switches a flag for a tenant. Switching it off moves the tenant's ready jobs of the bound classes to
     * {@link JobStatus#HOLDING}; switching it on releases them to {@link JobStatus#QUEUED}. Jobs already
     * running are not touched.
     *
     * @return how many jobs were held or released
     * @throws UnknownTenantException when the tenant does not exist
     */
    int set(TenantId tenant, String name, boolean enabled);

    /** The tenant's flags that have a stored value, by name (uncached). */
    Map<String, Boolean> list(TenantId tenant);
}
