package dev.millrace.internal.engine;

import dev.millrace.JobType;
import dev.millrace.TenantId;
import dev.millrace.fair.FairShare;
import dev.millrace.fair.FairUsage;
import dev.millrace.fair.GovernorState;
import dev.millrace.internal.fair.FairPlanner;
import dev.millrace.internal.fair.Governor;
import dev.millrace.internal.fair.Tiers;
import dev.millrace.internal.store.ClaimRequest;
import dev.millrace.internal.store.ClaimedJob;
import dev.millrace.internal.store.FairStore;
import dev.millrace.monitoring.NodeStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The dispatcher's fairness: which tenants a claim serves, how many jobs each, in what order (weighted fair queuing,
 * flow control, fair-usage tiers, the governor's throttle), and the claims of capped or rate-limited lanes under
 * their lock. Planning runs on the dispatcher's thread; the running counts are updated by the workers.
 */
final class FairDispatch {
    private static final Logger LOG = LoggerFactory.getLogger(FairDispatch.class);
    /** How long a capped lane that had nothing to give is left alone, unless one of its jobs ends first. */
    static final Duration LANE_RETRY = Duration.ofMillis(20);

    /** One tenant's jobs of one type. */
    record Lane(TenantId tenant, JobType type) {
    }

    /**
     * A planned claim.
     *
     * @param request the fair claim, or null when no tenant may be served
     * @param shares the planner's shares, for {@link #claimed}
     * @param limited lanes to claim under their lock, with how many each may take
     */
    record Plan(ClaimRequest request, List<FairPlanner.Share> shares, Map<Lane, Integer> limited) {
    }

    private final TenantPolicies policies;
    private final FairStore store;
    private final Tiers tiers;
    private final Governor governor;
    private final int workers;
    private final FairPlanner planner = new FairPlanner();
    private final java.time.InstantSource clock;
    private final Map<Lane, AtomicInteger> running = new ConcurrentHashMap<>();
    /** Jobs claimed by this node and not yet started, per lane: the work that waits on this node. */
    private final Map<Lane, AtomicInteger> queued = new ConcurrentHashMap<>();
    private final Map<TenantId, AtomicInteger> runningByTenant = new ConcurrentHashMap<>();
    private final Map<Lane, Long> laneRetryAt = new ConcurrentHashMap<>();
    /** Lanes left out of the last claims because they were at their fair-usage cap: a job ending frees them. */
    private final Set<Lane> heldLanes = ConcurrentHashMap.newKeySet();
    private final Map<JobType, Set<TenantId>> startedSince = new java.util.EnumMap<>(JobType.class);
    /** Running totals per lane since the node started, for {@link #shares()}. */
    private final Map<Lane, Totals> totals = new ConcurrentHashMap<>();

    private static final class Totals {
        final java.util.concurrent.atomic.AtomicLong started = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong workerNanos = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong deferrals = new java.util.concurrent.atomic.AtomicLong();
    }

    FairDispatch(TenantPolicies policies, FairStore store, Tiers tiers, Governor governor, int workers,
                 java.time.InstantSource clock) {
        this.clock = clock;
        this.policies = policies;
        this.store = store;
        this.tiers = tiers;
        this.governor = governor;
        this.workers = workers;
        for (JobType type : JobType.values()) startedSince.put(type, ConcurrentHashMap.newKeySet());
    }

    Governor governor() {
        return governor;
    }

    Tiers tiers() {
        return tiers;
    }

    private FairUsage fairUsage(TenantId tenant) {
        try {
            return policies.get(tenant).fairUsage();
        } catch (RuntimeException e) {
            LOG.debug("no policy for tenant {}: defaults apply", tenant, e);
            return FairUsage.DEFAULTS;
        }
    }

    /**
     * Plans a claim of up to {@code want} jobs from these tenants (in tie-breaking order).
     *
     * <p>Fair usage is work-conserving: a lowered lane is held to its tier's thread cap only while another tenant has
     * work of that type waiting (ready now, or claimed by this node and not started); otherwise it may use the idle
     * workers, up to the node's worker count and no prefetch beyond, so that a job of another tenant finds the
     * dispatcher free to claim it and goes ahead of the lane's. The cap limits that job type only: the lane is left out
     * of the fair claim and, while below its cap, claimed on its own for what is left of the cap.
     */
    Plan plan(String node, Instant now, Instant leaseUntil, List<TenantId> tenants, int want) {
        Governor.Snapshot gov = governor.snapshot();
        boolean throttled = gov.state() == GovernorState.THROTTLED;
        int perTenantUnderThrottle = Math.max(1, -Math.floorDiv(-gov.allowed(), Math.max(1, tenants.size())));
        List<FairPlanner.Candidate> candidates = new ArrayList<>(tenants.size());
        Map<TenantId, Set<JobType>> excluded = new HashMap<>();
        Map<Lane, Integer> limited = new HashMap<>();
        long nanos = System.nanoTime();
        for (TenantId tenant : tenants) {
            FairUsage fu = fairUsage(tenant);
            Set<JobType> ex = EnumSet.noneOf(JobType.class);
            int max = Integer.MAX_VALUE;
            if (throttled) {
                // The tenants running the most are held first: each may hold its even share of what is allowed.
                max = Math.max(0, perTenantUnderThrottle - runningOf(tenant));
            }
            Map<JobType, Integer> capLeft = new java.util.EnumMap<>(JobType.class);
            boolean lowered = false;
            for (Map.Entry<JobType, Tiers.Standing> e : tiers.lowered(tenant).entrySet()) {
                if (e.getValue().tier() == 0) continue;
                JobType type = e.getKey();
                lowered = true;
                Lane lane = new Lane(tenant, type);
                int cap = othersWaiting(tenant, type, tenants) ? Tiers.threadCap(fu, e.getValue().tier(), workers) : workers;
                int left = cap - running(lane);
                ex.add(type);
                if (left <= 0) {
                    heldLanes.add(lane);
                    totals(lane).deferrals.incrementAndGet();
                } else {
                    capLeft.put(type, left);
                }
            }
            for (JobType type : JobType.values()) {
                boolean capped = capLeft.containsKey(type);
                if (!capped && !fu.limits(type)) continue;
                ex.add(type);
                Lane lane = new Lane(tenant, type);
                Long retry = laneRetryAt.get(lane);
                int n = Math.min(Math.min(max, want), capped ? capLeft.get(type) : Integer.MAX_VALUE);
                if (n > 0 && (retry == null || nanos - retry >= 0)) limited.put(lane, n);
            }
            // No fair claim for a lowered tenant whose types (as last sampled) are all claimed on their own lanes: it
            // would find nothing. A type it had not shown before then waits for the next flow-control sample.
            if (ex.size() == JobType.values().length || lowered && onlyExcluded(tenant, ex)) {
                max = 0;
            }
            excluded.put(tenant, ex);
            candidates.add(new FairPlanner.Candidate(tenant, fu.weight(), tiers.dominating(tenant), max));
        }
        List<FairPlanner.Share> shares = planner.plan(candidates, want);
        if (shares.isEmpty()) return new Plan(null, shares, limited);
        List<TenantId> order = new ArrayList<>(shares.size());
        List<ClaimRequest.Lane> lanes = new ArrayList<>(shares.size());
        for (FairPlanner.Share s : shares) {
            order.add(s.tenant());
            lanes.add(new ClaimRequest.Lane(s.limit(), s.start(), s.step(), excluded.get(s.tenant())));
        }
        return new Plan(new ClaimRequest(node, now, leaseUntil, order, 0, want, lanes), shares, limited);
    }

    /**
     * Records a fair claim's jobs (the planner's virtual times and the running counts) and returns each job's key:
     * its tenant's start plus its position among the tenant's jobs over the weight, as the claim ordered them. Workers
     * take the local prefetch in this order, so it follows the weights across passes too.
     */
    double[] claimed(Plan plan, List<ClaimedJob> jobs) {
        Map<TenantId, Integer> counts = new HashMap<>();
        Map<TenantId, FairPlanner.Share> byTenant = new HashMap<>();
        for (FairPlanner.Share s : plan.shares()) byTenant.put(s.tenant(), s);
        double[] keys = new double[jobs.size()];
        for (int i = 0; i < jobs.size(); i++) {
            ClaimedJob j = jobs.get(i);
            int k = counts.merge(j.tenant(), 1, Integer::sum);
            FairPlanner.Share s = byTenant.get(j.tenant());
            keys[i] = s == null ? planner.virtualNow() : s.start() + k * s.step();
        }
        planner.claimed(plan.shares(), counts);
        for (ClaimedJob j : jobs) started(j);
        return keys;
    }

    /** The planner's virtual time: the key of a job claimed outside the fair claim (a capped lane's). */
    double virtualNow() {
        return planner.virtualNow();
    }

    /**
     * The key of a job claimed on its own lane (capped or rate-limited): the virtual time, behind every other
     * tenant's when flow control moves its tenant back, as in the fair claim.
     */
    double laneKey(ClaimedJob job) {
        return planner.virtualNow() + (tiers.dominating(job.tenant()) ? FairPlanner.BACK : 0);
    }

    /**
     * Whether a tenant other than this one has work of the type waiting: ready in this pass (as far as the last
     * flow-control sample tells its types) or claimed by this node and not yet started.
     */
    private boolean othersWaiting(TenantId tenant, JobType type, List<TenantId> ready) {
        for (Map.Entry<Lane, AtomicInteger> e : queued.entrySet()) {
            if (e.getKey().type() == type && !e.getKey().tenant().equals(tenant) && e.getValue().get() > 0) return true;
        }
        for (TenantId t : ready) {
            if (!t.equals(tenant) && tiers.mayHave(t, type)) return true;
        }
        return false;
    }

    private boolean onlyExcluded(TenantId tenant, Set<JobType> ex) {
        for (JobType type : JobType.values()) if (!ex.contains(type) && tiers.mayHave(tenant, type)) return false;
        return true;
    }

    /** Whether this node holds jobs of the lane it claimed and has not started yet. */
    boolean hasWaiting(TenantId tenant, JobType type) {
        AtomicInteger q = queued.get(new Lane(tenant, type));
        return q != null && q.get() > 0;
    }

    /** A job this node claimed left the local queue: a worker started it, or it was released unstarted. */
    void dequeued(ClaimedJob j) {
        AtomicInteger q = queued.get(new Lane(j.tenant(), j.type()));
        if (q != null) q.updateAndGet(v -> Math.max(0, v - 1));
    }

    /**
     * Claims the planned capped or rate-limited lanes, up to {@code want} jobs in all; returns the jobs and how soon a
     * lane waiting for a token should be tried again (null when none waits).
     */
    Duration claimLimited(Plan plan, String node, Instant leaseUntil, int want, List<ClaimedJob> out) {
        Duration soonest = null;
        long nanos = System.nanoTime();
        for (Map.Entry<Lane, Integer> e : plan.limited().entrySet()) {
            int left = want - out.size();
            if (left <= 0) break;
            Lane lane = e.getKey();
            FairUsage fu = fairUsage(lane.tenant());
            // The time now, not the pass's: the lane's bucket must never be refilled from a time before its last claim.
            FairStore.LaneClaim c = store.claimLane(node, clock.instant(), leaseUntil, lane.tenant(), lane.type(),
                    Math.min(left, e.getValue()), fu.maxRunning().get(lane.type()), fu.maxStartsPerSecond().get(lane.type()));
            for (ClaimedJob j : c.jobs()) started(j);
            out.addAll(c.jobs());
            if (c.nextToken() != null) {
                totals(lane).deferrals.incrementAndGet();
                laneRetryAt.put(lane, nanos + c.nextToken().toNanos());
                soonest = soonest == null || c.nextToken().compareTo(soonest) < 0 ? c.nextToken() : soonest;
            } else if (c.jobs().isEmpty()) {
                laneRetryAt.put(lane, nanos + LANE_RETRY.toNanos());
            } else {
                laneRetryAt.remove(lane);
            }
        }
        return soonest;
    }

    /**
     * Whether a job of this tenant and type may start at once on an idle worker, without a claim: nothing throttles
     * the node, and no cap, rate limit or lowered fair-usage tier applies to the lane (those are claimed under the
     * lane's rules). With a worker idle nobody waits, so starting it at once takes nothing from another tenant.
     */
    boolean mayStartAtOnce(TenantId tenant, JobType type) {
        if (governor.snapshot().state() == GovernorState.THROTTLED) return false;
        FairUsage fu = fairUsage(tenant);
        if (fu.limits(type)) return false;
        Tiers.Standing standing = tiers.lowered(tenant).get(type);
        return standing == null || standing.tier() == 0;
    }

    /** Counts a job this node inserted already claimed as running, as a claim's jobs are. */
    void startedAtOnce(ClaimedJob j) {
        started(j);
    }

    /** Tenants whose jobs of each type this node claimed since the last call (flow control's sample). */
    Map<JobType, Set<TenantId>> takeStarted() {
        Map<JobType, Set<TenantId>> out = new java.util.EnumMap<>(JobType.class);
        for (JobType type : JobType.values()) {
            Set<TenantId> s = startedSince.get(type);
            if (s.isEmpty()) continue;
            Set<TenantId> copy = new java.util.HashSet<>(s);
            s.removeAll(copy);
            out.put(type, copy);
        }
        return out;
    }

    private void started(ClaimedJob j) {
        totals(new Lane(j.tenant(), j.type())).started.incrementAndGet();
        startedSince.get(j.type()).add(j.tenant());
        running.computeIfAbsent(new Lane(j.tenant(), j.type()), k -> new AtomicInteger()).incrementAndGet();
        queued.computeIfAbsent(new Lane(j.tenant(), j.type()), k -> new AtomicInteger()).incrementAndGet();
        runningByTenant.computeIfAbsent(j.tenant(), k -> new AtomicInteger()).incrementAndGet();
    }

    /** A job of this node ended (or was released); true when its lane was held back, so a claim may now serve it. */
    boolean ended(ClaimedJob j) {
        Lane lane = new Lane(j.tenant(), j.type());
        AtomicInteger r = running.get(lane);
        if (r != null) r.decrementAndGet();
        AtomicInteger t = runningByTenant.get(j.tenant());
        if (t != null) t.decrementAndGet();
        boolean held = laneRetryAt.remove(lane) != null | heldLanes.remove(lane);
        return held || governor.snapshot().state() == GovernorState.THROTTLED;
    }

    /** A worker spent this long running the job (its share of worker time). */
    void ran(ClaimedJob j, long nanos) {
        totals(new Lane(j.tenant(), j.type())).workerNanos.addAndGet(Math.max(0, nanos));
    }

    private Totals totals(Lane lane) {
        return totals.computeIfAbsent(lane, k -> new Totals());
    }

    /** Every lane this node served or held back since it started, by tenant then type. */
    List<FairShare> shares() {
        List<FairShare> out = new ArrayList<>();
        totals.forEach((lane, t) -> {
            Tiers.Standing s = tiers.standing(lane.tenant(), lane.type());
            int cap = Tiers.threadCap(fairUsage(lane.tenant()), s.tier(), workers);
            out.add(new FairShare(lane.tenant(), lane.type(), t.started.get(), Duration.ofNanos(t.workerNanos.get()),
                    running(lane), t.deferrals.get(), s.tier(), cap, s.dominating()));
        });
        out.sort(java.util.Comparator.comparing((FairShare f) -> f.tenant().value()).thenComparing(FairShare::type));
        return out;
    }

    private int running(Lane lane) {
        AtomicInteger r = running.get(lane);
        return r == null ? 0 : r.get();
    }

    private int runningOf(TenantId tenant) {
        AtomicInteger r = runningByTenant.get(tenant);
        return r == null ? 0 : r.get();
    }

    /** The lanes flow control or fair usage holds back, for the node's status. */
    List<NodeStatus.FairUsageStatus> status() {
        List<NodeStatus.FairUsageStatus> out = new ArrayList<>();
        for (TenantId tenant : tiers.tenants()) {
            FairUsage fu = fairUsage(tenant);
            tiers.lowered(tenant).forEach((type, s) -> out.add(new NodeStatus.FairUsageStatus(tenant, type, s.tier(),
                    Tiers.threadCap(fu, s.tier(), workers), s.dominating())));
        }
        return out;
    }
}
