package dev.millrace.internal.engine;

import dev.millrace.AsyncOptions;
import dev.millrace.DuplicateSignature;
import dev.millrace.JobType;
import dev.millrace.MaxStackDepthException;
import dev.millrace.Queueable;
import dev.millrace.TenantId;
import dev.millrace.TenantPolicy;
import dev.millrace.internal.store.NewJob;

import java.lang.reflect.Method;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/** Turns an enqueue request into a {@link NewJob}, checking it against the tenant's policy first. */
final class Enqueuer {
    private final Registry registry;
    private final JobCodec codec;
    private final TenantPolicies policies;
    private final InstantSource clock;
    private final Uuid7 ids;
    private final dev.millrace.internal.fair.DailyQuota quota;

    /**
     * Where a new job sits in its chain.
     *
     * @param parentId the enqueuing job, or null
     * @param depth the new job's depth
     * @param maxDepth the inherited maximum, or null
     * @param consecutiveFailures failed executions before it in a finalizer-driven retry chain
     */
    record Lineage(java.util.UUID parentId, int depth, Integer maxDepth, int consecutiveFailures) {
        static final Lineage ROOT = new Lineage(null, 1, null, 0);
    }

    Enqueuer(Registry registry, JobCodec codec, TenantPolicies policies, InstantSource clock,
             dev.millrace.internal.fair.DailyQuota quota) {
        this.quota = quota;
        this.registry = registry;
        this.codec = codec;
        this.policies = policies;
        this.clock = clock;
        this.ids = new Uuid7(clock);
    }

    NewJob queueable(TenantId tenant, Queueable job, AsyncOptions options, Lineage lineage) {
        return queueable(tenant, job, options, lineage, clock.instant(), true);
    }

    /**
     * As {@link #queueable(TenantId, Queueable, AsyncOptions, Lineage)}, created at {@code now}; {@code count} false
     * leaves the daily allocation to the caller (a bulk counts once for all its jobs).
     */
    NewJob queueable(TenantId tenant, Queueable job, AsyncOptions options, Lineage lineage, Instant now,
                     boolean count) {
        java.util.Objects.requireNonNull(job, "job");
        java.util.Objects.requireNonNull(options, "options");
        TenantPolicy policy = policies.get(tenant, now);
        registry.checkJob(job);
        Integer max = maxDepth(policy, options, lineage);
        if (max != null && lineage.depth() > max) {
            throw new MaxStackDepthException("maximum stack depth reached: enqueueing " + job.getClass().getName()
                    + " at depth " + lineage.depth() + " would exceed the chain's maximum stack depth of " + max);
        }
        Instant runAt = runAt(tenant, policy, options, now);
        String payload = codec.write(job, "job");
        // Counted last, once every other check passed: a refused enqueue uses none of the allocation.
        if (count) quota.accept(tenant, policy.dailyAsyncExecutions(), 1, now);
        DuplicateSignature signature = options.duplicateSignature().orElse(null);
        return new NewJob(ids.next(), tenant, JobType.QUEUEABLE, job.getClass().getName(), null,
                payload, lineage.parentId(), lineage.depth(), max, now, runAt, signature == null ? null : signature.value(),
                null, lineage.consecutiveFailures());
    }

    /**
     * The root queueables of one bulk enqueue, all created at {@code now}, leaving the daily allocation to the caller.
     * The first job is checked in full, as {@link #queueable} does; what it settled for the call (the tenant's policy,
     * depth, delay and signature, all the same for every job of it) is reused for the others, which are checked for
     * their own class and state only.
     */
    java.util.List<NewJob> queueables(TenantId tenant, java.util.List<? extends Queueable> jobs, AsyncOptions options,
                                      Instant now) {
        java.util.List<NewJob> out = new java.util.ArrayList<>(jobs.size());
        if (jobs.isEmpty()) return out;
        NewJob first = queueable(tenant, jobs.get(0), options, Lineage.ROOT, now, false);
        out.add(first);
        Class<?> registered = jobs.get(0).getClass();
        for (int k = 1; k < jobs.size(); k++) {
            Queueable job = java.util.Objects.requireNonNull(jobs.get(k), "job");
            if (job.getClass() != registered) {
                registry.checkJob(job);
                registered = job.getClass();
            }
            out.add(new NewJob(ids.next(), tenant, JobType.QUEUEABLE, registered.getName(), null, codec.write(job, "job"),
                    null, first.stackDepth(), first.maxStackDepth(), now, first.runAt(), first.signature(), null,
                    first.consecutiveFailures()));
        }
        return out;
    }

    NewJob future(TenantId tenant, Class<?> type, String method, Object[] args, java.util.UUID parentId) {
        java.util.Objects.requireNonNull(type, "future class");
        java.util.Objects.requireNonNull(method, "future method");
        Object[] values = args == null ? new Object[0] : args;
        TenantPolicy policy = policies.get(tenant);
        Method m = registry.checkFutureCall(type, method, values);
        quota.accept(tenant, policy.dailyAsyncExecutions(), 1);
        Instant now = clock.instant();
        Instant runAt = now.plus(Duration.ofMinutes(policy.defaultDelayMinutes()));
        return new NewJob(ids.next(), tenant, JobType.FUTURE, type.getName(), m.getName(), codec.writeArgs(values),
                parentId, 1, null, now, runAt, null, null, 0);
    }

    NewJob finalizer(TenantId tenant, String className, String payload, java.util.UUID parentId, int depth,
                     Integer maxDepth, String requestId, int consecutiveFailures) {
        Instant now = clock.instant();
        return new NewJob(ids.next(), tenant, JobType.FINALIZER, className, null, payload, parentId, depth, maxDepth, now,
                now, null, requestId, consecutiveFailures);
    }

    /** The job of one schedule occurrence: ready at its fire time, holding the schedulable's state. */
    NewJob scheduled(TenantId tenant, java.util.UUID scheduleId, String className, String schedulableJson,
                     Instant fireTime, Instant now) {
        return new NewJob(ids.next(), tenant, JobType.SCHEDULED, className, null,
                codec.writeScheduled(scheduleId, fireTime, schedulableJson), null, 1, null, now, fireTime, null, null, 0);
    }

    /** A new time-ordered id, like job ids: for schedules, and for the chunks a batch cuts, in order. */
    java.util.UUID nextId() {
        return ids.next();
    }

    /** A BATCH job: the batch object's state as payload; where it waits is the batch store's decision. */
    NewJob batch(TenantId tenant, dev.millrace.batch.Batchable<?> batch, Instant runAt, java.util.UUID parentId) {
        java.util.Objects.requireNonNull(batch, "batch");
        TenantPolicy policy = policies.get(tenant);
        registry.checkJob(batch);
        Instant now = clock.instant();
        String payload = codec.write(batch, "batch");
        // A batch is an async execution of the daily allocation (LIM-6), counted once it passed every other check.
        quota.accept(tenant, policy.dailyAsyncExecutions(), 1);
        return new NewJob(ids.next(), tenant, JobType.BATCH, batch.getClass().getName(), null, payload, parentId, 1, null,
                now, runAt == null ? now : runAt, null, null, 0);
    }

    private static Integer maxDepth(TenantPolicy policy, AsyncOptions options, Lineage lineage) {
        if (options.maximumStackDepth().isPresent()) return options.maximumStackDepth().getAsInt();
        if (lineage.maxDepth() != null) return lineage.maxDepth();
        return policy.defaultMaxStackDepth() > 0 ? policy.defaultMaxStackDepth() : null;
    }

    /** When the job is ready: now, unless the options or the policy delay it. */
    private static Instant runAt(TenantId tenant, TenantPolicy policy, AsyncOptions options, Instant now) {
        // No delay asked and none by default (the usual enqueue): ready now, without building durations.
        if (options.delay().isEmpty() && policy.defaultDelayMinutes() == 0) return now;
        return now.plus(delay(tenant, policy, options));
    }

    private static Duration delay(TenantId tenant, TenantPolicy policy, AsyncOptions options) {
        Duration delay = options.delay().orElse(Duration.ofMinutes(policy.defaultDelayMinutes()));
        Duration max = Duration.ofMinutes(policy.maxDelayMinutes());
        if (delay.compareTo(max) > 0) {
            throw new IllegalArgumentException("delay of " + describe(delay) + " is out of range: expected 0 to "
                    + policy.maxDelayMinutes() + " minutes (policy maxDelayMinutes of tenant '" + tenant
                    + "'); longer waits belong to schedules");
        }
        return delay;
    }

    private static String describe(Duration d) {
        return d.toSecondsPart() == 0 && d.toMillisPart() == 0 ? d.toMinutes() + " minutes" : d.toString();
    }
}
