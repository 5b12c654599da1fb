package dev.millrace.internal.store;

import dev.millrace.TenantId;
import dev.millrace.flags.FlagChange;

import java.sql.Connection;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Feature flags and the jobs they hold. A flag's row is the lock that orders a switch against enqueues of the
 * classes bound to it, so a job is never left held while its flag is on, nor ready while it is off.
 */
public interface FlagStore {

    /** The tenant's flags by name (absent flags read false). */
    Map<String, Boolean> flags(TenantId tenant);

    /** What a switch did: how many jobs moved, and the audited change ({@code null} when the value was unchanged). */
    record Switch(int moved, FlagChange change) {
    }

    /**
     * Switches a flag and, in the same transaction, moves the ready jobs of the bound classes to held (off) or
     * the held ones back to ready (on), and audits the change when the value changed or the flag was new.
     */
    Switch set(TenantId tenant, String name, boolean enabled, String changedBy, Collection<String> boundClasses,
               Instant now);

    /** The flag's audited changes, newest first, at most {@code limit}. */
    List<FlagChange> history(TenantId tenant, String name, int limit);

    /**
     * Inside the caller's transaction: makes sure the flag's row exists, locks it until that transaction ends
     * and returns its value. An enqueue of a bound class calls this before inserting.
     */
    boolean lockFlag(Connection c, TenantId tenant, String name, Instant now);

    /** Inside the caller's transaction: moves just-inserted ready jobs to held (status HOLDING). */
    void hold(Connection c, TenantId tenant, List<UUID> jobIds);
}
