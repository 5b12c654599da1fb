package dev.millrace.internal.engine;

import dev.millrace.JobType;
import dev.millrace.TenantId;
import dev.millrace.internal.store.ClaimedJob;
import dev.millrace.internal.store.JobStore;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Claims ready jobs and hands them to the worker pool. Claims are fair: each pass takes from every tenant with
 * ready work in weighted fair-queuing order kept across passes ({@link FairDispatch}: weights, flow control,
 * fair-usage tiers, the governor), ties broken from a different tenant each pass, so one tenant's backlog delays
 * another tenant's job by at most one pass. It claims only what the pool can start soon (workers plus one claim
 * batch), so a local backlog never builds up behind which a tenant could wait.
 */
final class Dispatcher extends LoopService {
    /** The most tenants served in one pass. */
    static final int MAX_TENANTS_PER_PASS = 1000;
    /**
     * How long a list of tenants with ready work is reused while claims keep finding work: a tenant that gets work
     * waits at most this long to be seen, and a busy node saves a query per pass. When reading the list takes longer
     * than a fifth of this, it is reused for four times the read instead; a tenant enqueuing on this node is served at
     * once either way.
     */
    static final Duration TENANTS_REFRESH = Duration.ofMillis(10);

    /**
     * A claimed job waiting for a worker; the type lets shutdown release jobs that never started. Workers take
     * tasks in order of their fair-queuing key (the planner's, see {@link FairDispatch#keys}), so the local prefetch
     * is served in the same weighted order as the claims, and a tenant new to the buffer goes ahead of another's
     * prefetched backlog.
     */
    record JobTask(ClaimedJob job, Dispatcher owner, double key, long seq) implements Runnable, Comparable<JobTask> {
        @Override
        public void run() {
            owner.runTask(this);
        }

        @Override
        public int compareTo(JobTask o) {
            int byKey = Double.compare(key, o.key);
            return byKey != 0 ? byKey : Long.compare(seq, o.seq);
        }
    }

    private final JobStore store;
    private final InstantSource clock;
    private final String nodeId;
    private final Duration lease;
    private final Duration pollInterval;
    private final int claimBatchSize;
    private final int maxInFlight;
    private final int refillAt;
    private final int leastClaim;
    private final JobRunner runner;
    private final Completer completer;
    private final FairDispatch fair;
    private final Duration governorInterval;
    private final ThreadPoolExecutor workers;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean starved;
    private int rotation;
    private List<TenantId> tenants = List.of();
    /** The tenants of {@link #tenants}, for the enqueuing threads: those this dispatcher last saw with ready work. */
    private volatile java.util.Set<TenantId> listed = java.util.Set.of();
    private long tenantsAt;
    private long refreshNanos = TENANTS_REFRESH.toNanos();
    private boolean refreshDeferred;
    // Tenants this node just enqueued ready work for: served in the next pass without waiting for a query to find them.
    private final java.util.Set<TenantId> hinted = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private long seq;
    /** The key of the job a worker started last: where the local queue is being served now. */
    private volatile double startedKey;

    Dispatcher(JobStore store, InstantSource clock, String nodeId, int workerCount, int claimBatchSize, Duration lease,
               Duration pollInterval, JobRunner runner, Completer completer, FairDispatch fair,
               Duration governorInterval) {
        super("millrace-dispatcher");
        this.store = store;
        this.clock = clock;
        this.nodeId = nodeId;
        this.lease = lease;
        this.pollInterval = pollInterval;
        this.claimBatchSize = claimBatchSize;
        this.maxInFlight = workerCount + claimBatchSize;
        this.refillAt = workerCount;
        this.runner = runner;
        this.completer = completer;
        // Where a claim's commit writes a chunk of pages (claims carry completions: H2), a claim of a few jobs costs
        // nearly as much as a full one: while the workers have work, the dispatcher claims at least half a batch.
        this.leastClaim = completer.carried() ? Math.max(1, claimBatchSize / 2) : 1;
        this.fair = fair;
        this.governorInterval = governorInterval;
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(workerCount, workerCount, 0, TimeUnit.MILLISECONDS,
                new PriorityBlockingQueue<>(), r -> Thread.ofPlatform().name("millrace-worker-" + n.incrementAndGet())
                .daemon().unstarted(r));
        // All workers wait on the queue from the start, so every task goes through it in key order.
        this.workers.prestartAllCoreThreads();
    }

    /** Jobs claimed by this node and not yet ended. */
    int inFlight() {
        return inFlight.get();
    }

    /** Wakes the dispatcher for a job just committed on this node: its tenant is served in the next pass. */
    void wakeFor(TenantId tenant) {
        hinted.add(tenant);
        wake();
    }

    /**
     * Wakes the dispatcher for ready jobs another node committed for these tenants (its notification named them):
     * they are served in the next pass, as a local enqueue's tenant is. Hints are only a shortcut: the next passes
     * read the full list of tenants with ready work, so a tenant left out is served at the next read.
     */
    void wakeFor(java.util.Collection<TenantId> tenants) {
        hinted.addAll(tenants);
        wake();
    }

    @Override
    Duration tick() {
        var governed = fair.governor().snapshot();
        if (governed.allowed() <= 0) return governorInterval.compareTo(pollInterval) < 0 ? governorInterval : pollInterval;
        // Throttled, the node holds no more than the governor allows, prefetch included.
        int cap = governed.allowed() < refillAt ? governed.allowed() : maxInFlight;
        int free = cap - inFlight.get();
        if (free <= 0 || (starved || free < leastClaim) && inFlight.get() > refillAt) {
            starved = true;
            return pollInterval;
        }
        starved = false;
        Instant now = clock.instant();
        long nanos = System.nanoTime();
        List<TenantId> fresh = takeHints();
        boolean hintsOnly = false;
        if (tenants.isEmpty() && !fresh.isEmpty()) {
            hintsOnly = true;
            // Woken by an enqueue on this node, or by another node's notification naming tenants: claim for them at
            // once; the next pass lists every tenant.
            list(fresh);
            tenantsAt = nanos - refreshNanos - 1;
        } else if (!fresh.isEmpty() && !refreshDeferred) {
            // A tenant that just enqueued here is claimed for before the list is read again: that read can take
            // longer than the claim (a deep backlog), and the job would wait for it. The read comes next pass.
            java.util.LinkedHashSet<TenantId> merged = new java.util.LinkedHashSet<>(tenants);
            merged.addAll(fresh);
            list(List.copyOf(merged));
            refreshDeferred = nanos - tenantsAt > refreshNanos;
        } else if (tenants.isEmpty() || nanos - tenantsAt > refreshNanos) {
            refreshDeferred = false;
            list(store.readyTenants(now, MAX_TENANTS_PER_PASS));
            long took = System.nanoTime() - nanos;
            tenantsAt = nanos;
            // The list is read at most a fifth of the time: a slow read is repeated less often.
            refreshNanos = Math.max(TENANTS_REFRESH.toNanos(), 4 * took);
        }
        if (tenants.isEmpty()) return idleWait(now);
        int want = Math.min(free, claimBatchSize);
        Instant leaseUntil = now.plus(lease);
        FairDispatch.Plan plan = fair.plan(nodeId, now, leaseUntil, rotate(tenants), want);
        List<ClaimedJob> jobs = new ArrayList<>();
        double[] keys = null;
        if (plan.request() != null) {
            List<ClaimedJob> claimed = claim(plan.request());
            keys = fair.claimed(plan, claimed);
            jobs.addAll(claimed);
        }
        int fairCount = jobs.size();
        Duration nextToken = plan.limited().isEmpty() ? null : fair.claimLimited(plan, nodeId, leaseUntil, want, jobs);
        for (int i = 0; i < jobs.size(); i++) {
            inFlight.incrementAndGet();
            workers.execute(new JobTask(jobs.get(i), this, i < fairCount ? keys[i] : fair.laneKey(jobs.get(i)), seq++));
        }
        if (jobs.isEmpty()) {
            list(List.of());
            // Only hinted tenants were asked, and another node took their jobs: read the full list next pass (at
            // once), which then waits for the earliest delayed job rather than a whole poll interval.
            if (hintsOnly) return Duration.ZERO;
            return nextToken != null && nextToken.compareTo(pollInterval) < 0 ? nextToken : pollInterval;
        }
        return Duration.ZERO;
    }

    /** A fair claim, carrying the completions pending where the store's claims carry them (one commit for both). */
    private List<ClaimedJob> claim(dev.millrace.internal.store.ClaimRequest request) {
        List<Completer.Pending> done = completer.takeForClaim();
        if (done.isEmpty()) return store.claim(request);
        JobStore.Carried carried;
        try {
            carried = store.completeAndClaim(Completer.completions(done), request);
        } catch (RuntimeException e) {
            completer.putBack(done);
            throw e;
        }
        completer.written(done, carried.ended());
        return carried.claimed();
    }

    // ---- jobs inserted already claimed by this node (an enqueue that found a worker idle, or a tenant's first job here)

    /**
     * Takes a worker for a job of this tenant and type that the caller is about to insert already claimed, or returns
     * false: then the job is queued and claimed as usual. A true answer must be followed by {@link #startReserved} or
     * {@link #cancelReservation}.
     *
     * <p>An idle worker is taken for any job. When every worker is taken, a job of a tenant with no ready work (as
     * this dispatcher last saw) and nothing of the lane claimed and waiting on this node may still go ahead, within
     * one pool's worth beyond the usual prefetch: it queues for the next free worker where the workers serve now,
     * ahead of the prefetched backlog of tenants that ran ahead, as a claim would have put it. Without this, it would
     * wait until that prefetch had drained below the worker count before a claim could take it: a whole claim batch
     * of another tenant's jobs. A tenant with ready work waits for its claims, so its new job does not pass its older
     * ones nor add to its share. Not while the governor holds the node below its pool.
     */
    boolean reserveWorker(TenantId tenant, JobType type) {
        int allowed = fair.governor().snapshot().allowed();
        int cap = Math.min(refillAt, allowed);
        if (allowed >= refillAt && !listed.contains(tenant) && !fair.hasWaiting(tenant, type)) {
            cap = maxInFlight + refillAt;
        }
        for (int n = inFlight.get(); n < cap; n = inFlight.get()) {
            if (inFlight.compareAndSet(n, n + 1)) return true;
        }
        return false;
    }

    /** Gives back a worker taken by {@link #reserveWorker} whose job was not written. */
    void cancelReservation() {
        inFlight.decrementAndGet();
    }

    /**
     * Starts a job inserted already claimed by this node on the worker {@link #reserveWorker} took for it. It queues at
     * the key of the work being started now, as a job arriving at that moment under weighted fair queuing would: not at
     * the planner's virtual time, which runs ahead of the started work by the prefetch (a claim batch of another
     * tenant's jobs, all keyed before it). A tenant that dominates the queue is keyed behind, as in a claim.
     */
    void startReserved(ClaimedJob job) {
        fair.startedAtOnce(job);
        double key = fair.laneKey(job);
        if (!fair.tiers().dominating(job.tenant())) key = Math.min(key, startedKey);
        try {
            workers.execute(new JobTask(job, this, key, heldSeq.getAndIncrement()));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // Shutting down: hand the job back to the queue rather than wait for its lease to expire.
            fair.ended(job);
            inFlight.decrementAndGet();
            store.release(nodeId, List.of(job));
        }
    }

    // ---- jobs claimed ahead of their start (a schedule's occurrences, fired and claimed by this node)

    /** A group of jobs this node claimed ahead, waiting for their start time (identity, not value, equality). */
    private static final class Held implements Runnable {
        final List<ClaimedJob> jobs;
        final Dispatcher owner;

        Held(List<ClaimedJob> jobs, Dispatcher owner) {
            this.jobs = jobs;
            this.owner = owner;
        }

        @Override
        public void run() {
            // Whoever removes the group from the pending set owns it: this start, or shutdown's release.
            if (!owner.held.remove(this)) return;
            // Due now: they queue at the current virtual time, ahead of prefetched work of tenants that ran ahead.
            double key = owner.fair.virtualNow();
            try {
                for (ClaimedJob job : jobs) {
                    owner.workers.execute(new JobTask(job, owner, key, owner.heldSeq.getAndIncrement()));
                }
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // The node is shutting down: what was not started keeps its lease until it expires and is rescued.
            }
        }
    }

    private final java.util.Set<Held> held = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final AtomicLong heldSeq = new AtomicLong(Long.MIN_VALUE / 2);
    private final java.util.concurrent.ScheduledThreadPoolExecutor timer = timer();

    private static java.util.concurrent.ScheduledThreadPoolExecutor timer() {
        var t = new java.util.concurrent.ScheduledThreadPoolExecutor(1, r -> Thread.ofPlatform()
                .name("millrace-held-jobs").daemon().unstarted(r));
        t.setRemoveOnCancelPolicy(true);
        return t;
    }

    /**
     * Starts jobs this node already claimed, each at its start time ({@code runAt}, read on the injected clock):
     * they count as in flight from now, and shutdown releases those not yet started.
     */
    void runClaimedAt(List<ClaimedJob> jobs) {
        inFlight.addAndGet(jobs.size());
        Instant now = clock.instant();
        java.util.Map<Instant, List<ClaimedJob>> byStart = new java.util.TreeMap<>();
        for (ClaimedJob j : jobs) byStart.computeIfAbsent(j.runAt(), k -> new ArrayList<>()).add(j);
        byStart.forEach((at, group) -> {
            Held h = new Held(group, this);
            held.add(h);
            timer.schedule(h, Math.max(0, Duration.between(now, at).toNanos()), TimeUnit.NANOSECONDS);
        });
    }

    private List<TenantId> takeHints() {
        if (hinted.isEmpty()) return List.of();
        List<TenantId> out = new ArrayList<>(hinted);
        hinted.removeAll(out);
        if (out.size() <= MAX_TENANTS_PER_PASS) return out;
        // More than one pass serves: none are used, and this pass reads the full list instead of claiming for some
        // hinted tenants and forgetting the others.
        tenantsAt = System.nanoTime() - refreshNanos - 1;
        return List.of();
    }

    private void list(List<TenantId> ready) {
        tenants = ready;
        listed = ready.isEmpty() ? java.util.Set.of() : new java.util.HashSet<>(ready);
    }

    /** The tenants in the order to serve them this pass: a different first tenant each pass. */
    private List<TenantId> rotate(List<TenantId> tenants) {
        int start = Math.floorMod(rotation++, tenants.size());
        List<TenantId> out = new ArrayList<>(tenants.size());
        out.addAll(tenants.subList(start, tenants.size()));
        out.addAll(tenants.subList(0, start));
        return out;
    }

    /** Waits for the poll interval, or less when a delayed job becomes ready sooner. */
    private Duration idleWait(Instant now) {
        Optional<Instant> next = store.nextRunAt(now);
        Duration wait = pollInterval;
        if (next.isPresent()) {
            Duration untilNext = Duration.between(now, next.get());
            if (untilNext.compareTo(wait) < 0) wait = untilNext.isNegative() ? Duration.ZERO : untilNext;
        }
        return wait;
    }

    private void runTask(JobTask task) {
        startedKey = task.key();
        fair.dequeued(task.job());
        long t0 = System.nanoTime();
        try {
            runner.run(task.job());
        } finally {
            fair.ran(task.job(), System.nanoTime() - t0);
            int left = inFlight.decrementAndGet();
            boolean held = fair.ended(task.job());
            if (held || (starved && left <= refillAt)) wake();
        }
    }

    /**
     * Puts back in the queue the jobs claimed but not started, so that only what the governor allows runs: the ones
     * already running end as usual. Called by the governor when it lowers the number of executions.
     */
    void shed() {
        List<Runnable> queued = new ArrayList<>();
        workers.getQueue().drainTo(queued);
        List<ClaimedJob> unstarted = new ArrayList<>();
        for (Runnable r : queued) {
            if (r instanceof JobTask t) unstarted.add(t.job());
        }
        if (unstarted.isEmpty()) return;
        try {
            store.release(nodeId, unstarted);
        } finally {
            unstarted.forEach(fair::dequeued);
            unstarted.forEach(fair::ended);
            inFlight.addAndGet(-unstarted.size());
        }
    }

    /**
     * Stops claiming, releases jobs claimed but not started, waits for running jobs up to the timeout, then
     * interrupts what still runs (its lease will expire and another node will rescue it).
     */
    void shutdown(Duration timeout) {
        stop();
        List<Runnable> queued = new ArrayList<>();
        timer.shutdownNow();
        for (Held h : List.copyOf(held)) {
            if (held.remove(h)) h.jobs.forEach(j -> queued.add(new JobTask(j, this, 0, 0)));
        }
        workers.shutdown();
        workers.getQueue().drainTo(queued);
        List<ClaimedJob> unstarted = new ArrayList<>();
        for (Runnable r : queued) {
            if (r instanceof JobTask t) unstarted.add(t.job());
        }
        if (!unstarted.isEmpty()) {
            unstarted.forEach(fair::dequeued);
            unstarted.forEach(fair::ended);
            store.release(nodeId, unstarted);
            inFlight.addAndGet(-unstarted.size());
        }
        try {
            if (!workers.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                runner.interruptingForShutdown();
                workers.shutdownNow();
                workers.awaitTermination(1, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            workers.shutdownNow();
        }
    }
}
