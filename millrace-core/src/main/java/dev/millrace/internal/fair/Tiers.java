package dev.millrace.internal.fair;

import dev.millrace.JobType;
import dev.millrace.TenantId;
import dev.millrace.fair.FairUsage;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Flow control and fair usage (SPEC.md FAIR-2, FAIR-3) from samples of the ready queue. A tenant dominates a job
 * type when its ready jobs of the type are more than its policy's share of all tenants' and more than its minimum
 * count. Each sample it dominates, it steps one tier down (fewer of the node's workers for that type); each sample it
 * does not, it climbs one tier back. Written by the flow-control loop, read by the dispatcher.
 */
public final class Tiers {
    /** A lane's standing. */
    public record Standing(int tier, boolean dominating) {
    }

    private volatile Map<TenantId, Map<JobType, Standing>> standings = Map.of();
    /** The job types each tenant had ready or started at the last sample: what it may have waiting now. */
    private volatile Map<TenantId, java.util.Set<JobType>> seen = Map.of();

    /** Applies one sample of ready counts (each tenant's oldest rows, bounded), with no other activity known. */
    public void observe(Map<TenantId, Map<JobType, Integer>> ready, Function<TenantId, FairUsage> policy) {
        observe(ready, Map.of(), policy);
    }

    /**
     * Applies one sample of ready counts (each tenant's oldest rows, bounded) and the tenants whose jobs of each type
     * started since the last sample. A tenant dominates a type only while another tenant has work of that type
     * (ready now, or started since the last sample): alone, it takes every worker, since nobody waits behind it.
     */
    public synchronized void observe(Map<TenantId, Map<JobType, Integer>> ready, Map<JobType, java.util.Set<TenantId>> started,
                                     Function<TenantId, FairUsage> policy) {
        Map<JobType, Long> totals = new EnumMap<>(JobType.class);
        ready.values().forEach(m -> m.forEach((type, n) -> totals.merge(type, (long) n, Long::sum)));
        Map<TenantId, Map<JobType, Standing>> next = new ConcurrentHashMap<>();
        Map<TenantId, Map<JobType, Standing>> was = standings;
        java.util.Set<TenantId> all = new java.util.HashSet<>(was.keySet());
        all.addAll(ready.keySet());
        for (TenantId tenant : all) {
            FairUsage fu = policy.apply(tenant);
            Map<JobType, Integer> mine = ready.getOrDefault(tenant, Map.of());
            Map<JobType, Standing> before = was.getOrDefault(tenant, Map.of());
            Map<JobType, Standing> after = new EnumMap<>(JobType.class);
            for (JobType type : JobType.values()) {
                int n = mine.getOrDefault(type, 0);
                long total = totals.getOrDefault(type, 0L);
                boolean others = total > n || started.getOrDefault(type, java.util.Set.of()).stream()
                        .anyMatch(t -> !t.equals(tenant));
                boolean dominating = others && n > fu.dominationMinReady()
                        && n * 100L > (long) fu.dominationSharePercent() * total;
                int tier = before.containsKey(type) ? before.get(type).tier() : 0;
                tier = dominating ? Math.min(tier + 1, fu.tierPercents().size() - 1) : Math.max(0, tier - 1);
                if (dominating || tier > 0) after.put(type, new Standing(tier, dominating));
            }
            if (!after.isEmpty()) next.put(tenant, after);
        }
        standings = next;
        Map<TenantId, java.util.Set<JobType>> types = new java.util.HashMap<>();
        ready.forEach((tenant, m) -> m.forEach((type, n) -> {
            if (n > 0) types.computeIfAbsent(tenant, k -> java.util.EnumSet.noneOf(JobType.class)).add(type);
        }));
        started.forEach((type, ts) -> ts.forEach(tenant ->
                types.computeIfAbsent(tenant, k -> java.util.EnumSet.noneOf(JobType.class)).add(type)));
        seen = types;
    }

    /**
     * Whether the tenant may have ready work of the type: it had some at the last sample (ready or started), or it
     * was not seen at all (a tenant new since the sample might have any type).
     */
    public boolean mayHave(TenantId tenant, JobType type) {
        java.util.Set<JobType> s = seen.get(tenant);
        return s == null || s.contains(type);
    }

    /** The lane's standing, or the top tier when it never dominated. */
    public Standing standing(TenantId tenant, JobType type) {
        Map<JobType, Standing> m = standings.get(tenant);
        Standing s = m == null ? null : m.get(type);
        return s == null ? new Standing(0, false) : s;
    }

    /** Whether the tenant dominates any job type now (flow control moves its claims behind others'). */
    public boolean dominating(TenantId tenant) {
        Map<JobType, Standing> m = standings.get(tenant);
        if (m == null) return false;
        for (Standing s : m.values()) if (s.dominating()) return true;
        return false;
    }

    /** The tenant's lanes below the top tier or dominating, with their standing. */
    public Map<JobType, Standing> lowered(TenantId tenant) {
        return standings.getOrDefault(tenant, Map.of());
    }

    /** Every tenant with a lowered or dominating lane. */
    public List<TenantId> tenants() {
        return new ArrayList<>(standings.keySet());
    }

    /** The most of a node's workers a lane at this tier may hold: at least one. */
    public static int threadCap(FairUsage fu, int tier, int workers) {
        int pct = fu.tierPercents().get(Math.min(tier, fu.tierPercents().size() - 1));
        return Math.max(1, (int) Math.floor(workers * pct / 100.0));
    }
}
