package dev.millrace.internal.flags;

import dev.millrace.TenantId;
import dev.millrace.flags.FeatureFlags;
import dev.millrace.flags.FlagChange;
import dev.millrace.internal.PolicyCache;
import dev.millrace.internal.store.FlagStore;
import dev.millrace.internal.store.NewJob;

import java.sql.Connection;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A node's view of feature flags: cached reads, switches with their job transitions, and the gate every
 * enqueue of a bound class goes through.
 *
 * <p>Why the gate locks the flag's row: a switch and an enqueue of a bound class each hold that row until they
 * commit, so one sees the other's outcome. An enqueue that committed first has its ready row held by the
 * switch-off (or its held row released by the switch-on); an enqueue after the switch reads the new value.
 * The claim query is untouched: held rows are simply not in the ready state it reads.
 */
public final class FlagService {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.\\-]{1,100}");

    private final FlagStore store;
    private final InstantSource clock;
    private final Map<String, String> flagOfClass;
    private final Map<String, List<String>> classesOfFlag = new HashMap<>();
    /** Each tenant's stored flags; a switch on this node forgets the tenant's copy. */
    private final PolicyCache<Map<String, Boolean>> flags;

    /**
     * @param bindings job class name to the flag it is bound to
     * @param cacheTime how long another node's switch may stay unseen here
     */
    public FlagService(FlagStore store, InstantSource clock, Duration cacheTime, Map<String, String> bindings) {
        this.store = store;
        this.clock = clock;
        this.flags = new PolicyCache<>(clock, cacheTime, tenant -> Map.copyOf(store.flags(tenant)));
        this.flagOfClass = Map.copyOf(bindings);
        bindings.forEach((cls, flag) -> classesOfFlag.computeIfAbsent(flag, k -> new ArrayList<>()).add(cls));
    }

    /** Rejects a name that is not 1 to 100 letters, digits, '.', '-' or '_', naming it. */
    public static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("flag name '" + name
                    + "' is invalid: expected 1 to 100 letters, digits, '.', '-' or '_'");
        }
        return name;
    }

    /** Rejects a {@code changedBy} that is null, blank or longer than 200 characters, saying which. */
    public static String checkChangedBy(String changedBy) {
        if (changedBy == null || changedBy.isBlank()) {
            throw new IllegalArgumentException("changedBy '" + changedBy
                    + "' is invalid: expected 1 to 200 characters, not blank");
        }
        if (changedBy.length() > 200) {
            throw new IllegalArgumentException("changedBy is " + changedBy.length()
                    + " characters long: expected 1 to 200 characters, not blank");
        }
        return changedBy;
    }

    /** The flag's value, from a cache refreshed per tenant after the cache time. */
    public boolean isEnabled(TenantId tenant, String name) {
        checkName(name);
        Objects.requireNonNull(tenant, "tenant");
        return flags.get(tenant).getOrDefault(name, false);
    }

    /**
     * Stores the switch with its audit and moves the bound jobs; this node's cache forgets the tenant at once.
     */
    public FlagStore.Switch set(TenantId tenant, String name, boolean enabled, String changedBy) {
        checkName(name);
        checkChangedBy(changedBy);
        try {
            return store.set(tenant, name, enabled, changedBy, classesOfFlag.getOrDefault(name, List.of()),
                    clock.instant());
        } finally {
            flags.forget(tenant);
        }
    }

    /** The flag's audited changes, newest first (at most {@link FeatureFlags#HISTORY_LIMIT}). */
    public List<FlagChange> history(TenantId tenant, String name) {
        checkName(name);
        return store.history(tenant, name, FeatureFlags.HISTORY_LIMIT);
    }

    /** The stored flags of a tenant. */
    public Map<String, Boolean> list(TenantId tenant) {
        return store.flags(tenant);
    }

    /** Whether any of these jobs is of a class bound to a flag (then it must go through {@link #insert}). */
    public boolean gates(List<NewJob> jobs) {
        if (flagOfClass.isEmpty()) return false;
        for (NewJob j : jobs) if (flagOfClass.containsKey(j.className())) return true;
        return false;
    }

    /**
     * Inserts jobs in the caller's transaction, holding those whose flag is off: locks each bound flag's row
     * (in name order, so two enqueues cannot deadlock), inserts, then holds.
     */
    public void insert(Connection c, List<NewJob> jobs, Runnable insert) {
        Map<String, Boolean> values = new TreeMap<>();
        TenantId tenant = jobs.get(0).tenant();
        for (NewJob j : jobs) {
            String flag = flagOfClass.get(j.className());
            if (flag != null) values.put(flag, null);
        }
        for (String flag : values.keySet()) values.put(flag, store.lockFlag(c, tenant, flag, clock.instant()));
        insert.run();
        List<UUID> held = new ArrayList<>();
        for (NewJob j : jobs) {
            String flag = flagOfClass.get(j.className());
            if (flag != null && !values.get(flag)) held.add(j.id());
        }
        store.hold(c, tenant, held);
    }
}
