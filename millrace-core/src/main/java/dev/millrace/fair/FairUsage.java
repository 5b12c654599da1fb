package dev.millrace.fair;

import dev.millrace.JobType;
import dev.millrace.TenantPolicy;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A tenant's share of the platform's workers and its caps (SPEC.md FAIR-1…4, LIM-6): part of {@link TenantPolicy}.
 *
 * <ul>
 * <li>{@code weight}: while several tenants have work, each gets worker time in proportion to its weight (a tenant
 * with weight 2 gets twice the share of one with weight 1); an idle tenant's share goes to the others.</li>
 * <li>{@code dominationSharePercent} and {@code dominationMinReady}: a tenant whose ready jobs of one job type are
 * more than this share of that type's ready jobs, and more than this many, dominates the type. Its jobs are then
 * claimed behind every other tenant's (flow control), and it steps down one tier each time it is seen dominating
 * (fair usage), climbing back one tier each time it is not.</li>
 * <li>{@code tierPercents}: the share of a node's workers a tenant may hold for one job type at each tier, from the
 * top tier down (default 100, 50, 25, 10); at least one worker is always allowed.</li>
 * <li>{@code maxRunning}: per job type, the most jobs of the tenant running at once across all nodes
 * (absent: no cap).</li>
 * <li>{@code maxStartsPerSecond}: per job type, the most jobs of the tenant started per second across all nodes
 * (absent: no limit); a burst of up to one second's worth is allowed after a quiet spell.</li>
 * </ul>
 *
 * @param weight the tenant's weight, 1 to 100
 * @param dominationSharePercent share of a type's ready jobs above which a tenant dominates it, 1 to 100
 * @param dominationMinReady ready jobs of a type a tenant must have, at least, to dominate it
 * @param tierPercents share of the workers per tier, from 100 down, each 1 to 100 and not increasing
 * @param maxRunning per job type, the most running jobs across all nodes
 * @param maxStartsPerSecond per job type, the most starts per second across all nodes
 */
public record FairUsage(int weight, int dominationSharePercent, int dominationMinReady, List<Integer> tierPercents,
                        Map<JobType, Integer> maxRunning, Map<JobType, Integer> maxStartsPerSecond) {

    /** Weight 1, domination above 50 % and 1,000 ready jobs, tiers 100/50/25/10 %, no caps, no rate limits. */
    public static final FairUsage DEFAULTS = new FairUsage(1, 50, 1000, List.of(100, 50, 25, 10), Map.of(), Map.of());

    /** Validates every value, naming the key, the value and what was expected. */
    public FairUsage {
        range("weight", weight, 1, 100);
        range("dominationSharePercent", dominationSharePercent, 1, 100);
        range("dominationMinReady", dominationMinReady, 0, Integer.MAX_VALUE);
        tierPercents = tierPercents == null ? DEFAULTS.tierPercents() : List.copyOf(tierPercents);
        if (tierPercents.isEmpty() || tierPercents.get(0) != 100) {
            throw new IllegalArgumentException("fair usage tierPercents " + tierPercents
                    + " is invalid: expected a list starting with 100, e.g. [100, 50, 25, 10]");
        }
        for (int i = 1; i < tierPercents.size(); i++) {
            int p = tierPercents.get(i);
            if (p < 1 || p > tierPercents.get(i - 1)) {
                throw new IllegalArgumentException("fair usage tierPercents " + tierPercents + " is invalid at position "
                        + i + " (" + p + "): expected 1 to " + tierPercents.get(i - 1) + ", each tier at most the one above");
            }
        }
        maxRunning = caps("maxRunning", maxRunning, 100_000);
        maxStartsPerSecond = caps("maxStartsPerSecond", maxStartsPerSecond, 1_000_000);
    }

    private static Map<JobType, Integer> caps(String key, Map<JobType, Integer> caps, int max) {
        if (caps == null) return Map.of();
        caps.forEach((type, v) -> {
            Objects.requireNonNull(type, "fair usage " + key + ": job type");
            if (v == null || v < 1 || v > max) {
                throw new IllegalArgumentException("fair usage " + key + " of " + type + " = " + v
                        + " is out of range: expected 1 to " + max + " (leave the type out for no limit)");
            }
        });
        return Map.copyOf(caps);
    }

    private static void range(String key, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException("fair usage " + key + " = " + value + " is out of range: expected " + min
                    + " to " + max);
        }
    }

    /** A copy with another weight. */
    public FairUsage withWeight(int weight) {
        return new FairUsage(weight, dominationSharePercent, dominationMinReady, tierPercents, maxRunning, maxStartsPerSecond);
    }

    /** A copy with another domination rule. */
    public FairUsage withDomination(int sharePercent, int minReady) {
        return new FairUsage(weight, sharePercent, minReady, tierPercents, maxRunning, maxStartsPerSecond);
    }

    /** A copy with other tiers. */
    public FairUsage withTierPercents(List<Integer> tiers) {
        return new FairUsage(weight, dominationSharePercent, dominationMinReady, tiers, maxRunning, maxStartsPerSecond);
    }

    /** A copy with a cap on running jobs of one type across all nodes. */
    public FairUsage withMaxRunning(JobType type, int max) {
        Map<JobType, Integer> m = new java.util.EnumMap<>(JobType.class);
        m.putAll(maxRunning);
        m.put(Objects.requireNonNull(type, "job type"), max);
        return new FairUsage(weight, dominationSharePercent, dominationMinReady, tierPercents, m, maxStartsPerSecond);
    }

    /** A copy with a limit on starts per second of one type across all nodes. */
    public FairUsage withMaxStartsPerSecond(JobType type, int max) {
        Map<JobType, Integer> m = new java.util.EnumMap<>(JobType.class);
        m.putAll(maxStartsPerSecond);
        m.put(Objects.requireNonNull(type, "job type"), max);
        return new FairUsage(weight, dominationSharePercent, dominationMinReady, tierPercents, maxRunning, m);
    }

    /** Whether jobs of the type are limited across nodes (a cap or a rate), so they are claimed under a lock. */
    public boolean limits(JobType type) {
        return maxRunning.containsKey(type) || maxStartsPerSecond.containsKey(type);
    }
}
