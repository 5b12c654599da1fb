package dev.millrace.internal.fair;

import dev.millrace.TenantId;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Weighted fair queuing across tenants, kept across claim passes (start-time fair queuing). Each tenant has a
 * virtual finish time; its k-th job in a pass gets the key {@code start + k / weight}, and the claim takes the
 * smallest keys across tenants. A tenant with weight 2 advances half as fast, so it gets twice the jobs while both
 * have work. A tenant that returns from idle starts at the system's virtual time (the smallest finish time of the
 * tenants that had work), so it neither banks credit while idle nor waits behind others' history. A flow-controlled
 * tenant's keys are moved behind every other tenant's in the pass, without losing its place for later passes.
 *
 * <p>Used by one dispatcher thread; not thread-safe.
 */
public final class FairPlanner {
    /** Added to a flow-controlled tenant's keys: behind every other tenant in the pass. */
    public static final double BACK = 1e12;
    private static final int FORGET_AFTER = 10_000;

    private final Map<TenantId, Double> finish = new HashMap<>();
    /** Tenants that had work in the last pass: they keep their place; others re-join at the virtual time. */
    private java.util.Set<TenantId> active = java.util.Set.of();
    private int lastWant;
    private double virtualNow;

    /**
     * One tenant's part of a pass.
     *
     * @param tenant the tenant
     * @param limit the most jobs to read for it
     * @param start the key of its next job, less one step (flow control included)
     * @param step how far each job moves its key: 1 / weight
     */
    public record Share(TenantId tenant, int limit, double start, double step) {
    }

    /**
     * A tenant with work, as the dispatcher sees it this pass.
     *
     * @param tenant the tenant
     * @param weight its weight
     * @param back whether flow control moves it behind the others
     * @param max the most jobs it may get this pass (fair usage, the governor), or {@code Integer.MAX_VALUE}
     */
    public record Candidate(TenantId tenant, int weight, boolean back, int max) {
    }

    /**
     * Plans a pass of {@code want} jobs: each tenant's limit is the number of its keys among the {@code want}
     * smallest (as if every tenant had a deep backlog), plus an even share of slack so that a tenant with fewer
     * ready jobs leaves its place to the others. Tenants with a zero maximum are left out. The shares come back in
     * key order of their first job.
     */
    public List<Share> plan(List<Candidate> candidates, int want) {
        List<Share> out = new ArrayList<>(candidates.size());
        if (candidates.isEmpty() || want <= 0) return out;
        record Next(int index, double key) {
        }
        int n = candidates.size();
        double[] start = new double[n];
        double[] step = new double[n];
        int[] quota = new int[n];
        PriorityQueue<Next> keys = new PriorityQueue<>((a, b) -> a.key() != b.key() ? Double.compare(a.key(), b.key())
                : Integer.compare(a.index(), b.index()));
        java.util.Set<TenantId> nowActive = new java.util.HashSet<>();
        for (int i = 0; i < n; i++) {
            Candidate c = candidates.get(i);
            double f = finish.getOrDefault(c.tenant(), 0.0);
            if (!active.contains(c.tenant()) && f < virtualNow) {
                // Back from idle: re-joins at the virtual time, with no credit for the time it had no work.
                f = virtualNow;
                finish.put(c.tenant(), f);
            }
            if (c.max() > 0) nowActive.add(c.tenant());
            start[i] = f + (c.back() ? BACK : 0);
            step[i] = 1.0 / c.weight();
            if (c.max() > 0) keys.add(new Next(i, start[i] + step[i]));
        }
        for (int taken = 0; taken < want && !keys.isEmpty(); taken++) {
            Next k = keys.poll();
            int i = k.index();
            quota[i]++;
            if (quota[i] < candidates.get(i).max()) keys.add(new Next(i, k.key() + step[i]));
        }
        active = nowActive;
        lastWant = want;
        int slack = Math.max(1, -Math.floorDiv(-want, n));
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        java.util.Arrays.sort(order, (a, b) -> Double.compare(start[a] + step[a], start[b] + step[b]));
        for (int i : order) {
            Candidate c = candidates.get(i);
            if (c.max() <= 0) continue;
            int limit = (int) Math.min(Math.min((long) quota[i] + slack, want), c.max());
            out.add(new Share(c.tenant(), limit, start[i], step[i]));
        }
        return out;
    }

    /**
     * Records what a pass claimed: each tenant's finish moves by its jobs over its weight; the system's virtual time
     * becomes the smallest finish among the tenants that were served or passed over (a tenant left out of the claim
     * keeps its finish and so its place).
     */
    public void claimed(List<Share> shares, Map<TenantId, Integer> counts) {
        double min = Double.MAX_VALUE;
        int total = 0;
        for (int n : counts.values()) total += n;
        // A claim that took less than it asked for was not cut off: a tenant that gave nothing had nothing ready
        // (other nodes took it), so it is idle, not passed over, and must not hold the virtual time back.
        boolean cutOff = total >= lastWant;
        for (Share s : shares) {
            int n = counts.getOrDefault(s.tenant(), 0);
            if (n == 0 && !cutOff) {
                active.remove(s.tenant());
                continue;
            }
            double base = s.start() >= BACK ? s.start() - BACK : s.start();
            double f = base + n * s.step();
            if (n > 0) finish.put(s.tenant(), f);
            min = Math.min(min, f);
        }
        if (min != Double.MAX_VALUE) virtualNow = Math.max(virtualNow, min);
        if (finish.size() > FORGET_AFTER) finish.values().removeIf(f -> f <= virtualNow);
    }

    /** The system's virtual time (for tests and status). */
    public double virtualNow() {
        return virtualNow;
    }
}
