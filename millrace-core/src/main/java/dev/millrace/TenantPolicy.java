package dev.millrace;

import dev.millrace.fair.FairUsage;
import dev.millrace.limits.LimitProfile;

/**
 * A tenant's policy: the numbers its jobs are held to. Defaults are Salesforce's (SPEC.md, "Defaults per
 * tenant policy"); an operator may change them per tenant, user code never per execution.
 *
 * @param defaultMaxStackDepth the maximum chain depth when the enqueuer sets none; 0 means unlimited
 * @param maxDelayMinutes the longest delay an enqueue may ask for
 * @param defaultDelayMinutes the delay applied when an enqueue gives none
 * @param enqueuePerSyncExecution queueables one synchronous execution may enqueue
 * @param enqueuePerAsyncExecution queueables one async execution may chain
 * @param futuresPerExecution futures one synchronous or queueable execution may enqueue
 * @param finalizerMaxConsecutiveRetries consecutive failed executions re-enqueued by finalizers before the next re-enqueue is refused
 * @param dailyAsyncExecutions async executions allowed in a rolling 24 hours
 * @param maxActiveBatches batches running at once
 * @param flexQueueCapacity batches waiting in the flex queue
 * @param maxSchedules schedules of the tenant
 * @param jobRetentionDays days a terminal job is kept before it is pruned
 * @param syncLimits governor limits of synchronous executions ({@link LimitProfile#SYNC} by default)
 * @param asyncLimits governor limits of asynchronous executions ({@link LimitProfile#ASYNC} by default)
 * @param fairUsage the tenant's weight, flow control, fair usage tiers, caps and rate limits ({@link FairUsage#DEFAULTS})
 * @param minScheduleIntervalSeconds the shortest time a schedule's cron expression may leave between two fire times
 *     (SPEC.md SCH-6: 60 by default; 3,600 is Salesforce's hourly rule)
 */
public record TenantPolicy(int defaultMaxStackDepth, int maxDelayMinutes, int defaultDelayMinutes,
                           int enqueuePerSyncExecution, int enqueuePerAsyncExecution, int futuresPerExecution,
                           int finalizerMaxConsecutiveRetries, int dailyAsyncExecutions, int maxActiveBatches,
                           int flexQueueCapacity, int maxSchedules, int jobRetentionDays,
                           LimitProfile syncLimits, LimitProfile asyncLimits, FairUsage fairUsage,
                           int minScheduleIntervalSeconds) {

    /** The shortest interval between a schedule's fire times by default: one minute (SPEC.md SCH-6). */
    public static final int DEFAULT_MIN_SCHEDULE_INTERVAL_SECONDS = 60;

    /** The defaults: unlimited depth, delay 0–10 minutes, 50/1 enqueues, 5 finalizer retries, 250,000 a day. */
    public static final TenantPolicy DEFAULTS = new TenantPolicy(0, 10, 0, 50, 1, 50, 5, 250_000, 5, 100, 100, 7,
            LimitProfile.SYNC, LimitProfile.ASYNC, FairUsage.DEFAULTS, DEFAULT_MIN_SCHEDULE_INTERVAL_SECONDS);

    /** Validates every number, naming the key, the value and the allowed range. */
    public TenantPolicy {
        check("defaultMaxStackDepth", defaultMaxStackDepth, 0, Integer.MAX_VALUE);
        check("maxDelayMinutes", maxDelayMinutes, 0, 7 * 24 * 60);
        check("defaultDelayMinutes", defaultDelayMinutes, 0, maxDelayMinutes);
        check("enqueuePerSyncExecution", enqueuePerSyncExecution, 0, 100_000);
        check("enqueuePerAsyncExecution", enqueuePerAsyncExecution, 0, 100_000);
        check("futuresPerExecution", futuresPerExecution, 0, 100_000);
        check("finalizerMaxConsecutiveRetries", finalizerMaxConsecutiveRetries, 0, 1_000);
        check("dailyAsyncExecutions", dailyAsyncExecutions, 0, Integer.MAX_VALUE);
        check("maxActiveBatches", maxActiveBatches, 1, 1_000);
        check("flexQueueCapacity", flexQueueCapacity, 0, 100_000);
        check("maxSchedules", maxSchedules, 0, 100_000);
        check("jobRetentionDays", jobRetentionDays, 1, 3_650);
        check("minScheduleIntervalSeconds", minScheduleIntervalSeconds, 1, 86_400);
        // Absent from policies stored before governor limits existed: the defaults apply.
        if (syncLimits == null) syncLimits = LimitProfile.SYNC;
        if (asyncLimits == null) asyncLimits = LimitProfile.ASYNC;
        // Absent from policies stored before fair usage existed: the defaults apply.
        if (fairUsage == null) fairUsage = FairUsage.DEFAULTS;
    }

    /**
     * A policy with the default shortest schedule interval ({@value #DEFAULT_MIN_SCHEDULE_INTERVAL_SECONDS} s): the
     * constructor from before that key existed.
     */
    public TenantPolicy(int defaultMaxStackDepth, int maxDelayMinutes, int defaultDelayMinutes,
                        int enqueuePerSyncExecution, int enqueuePerAsyncExecution, int futuresPerExecution,
                        int finalizerMaxConsecutiveRetries, int dailyAsyncExecutions, int maxActiveBatches,
                        int flexQueueCapacity, int maxSchedules, int jobRetentionDays,
                        LimitProfile syncLimits, LimitProfile asyncLimits, FairUsage fairUsage) {
        this(defaultMaxStackDepth, maxDelayMinutes, defaultDelayMinutes, enqueuePerSyncExecution,
                enqueuePerAsyncExecution, futuresPerExecution, finalizerMaxConsecutiveRetries, dailyAsyncExecutions,
                maxActiveBatches, flexQueueCapacity, maxSchedules, jobRetentionDays, syncLimits, asyncLimits, fairUsage,
                DEFAULT_MIN_SCHEDULE_INTERVAL_SECONDS);
    }

    private static void check(String key, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException("tenant policy " + key + " = " + value + " is out of range: expected "
                    + min + " to " + max);
        }
    }

    /** A copy with another default maximum chain depth (0: unlimited). */
    public TenantPolicy withDefaultMaxStackDepth(int v) {
        return new TenantPolicy(v, maxDelayMinutes, defaultDelayMinutes, enqueuePerSyncExecution, enqueuePerAsyncExecution,
                futuresPerExecution, finalizerMaxConsecutiveRetries, dailyAsyncExecutions, maxActiveBatches,
                flexQueueCapacity, maxSchedules, jobRetentionDays, syncLimits, asyncLimits, fairUsage,
                minScheduleIntervalSeconds);
    }

    /** A copy with other delay bounds. */
    public TenantPolicy withDelayMinutes(int defaultDelay, int maxDelay) {
        return new TenantPolicy(defaultMaxStackDepth, maxDelay, defaultDelay, enqueuePerSyncExecution,
                enqueuePerAsyncExecution, futuresPerExecution, finalizerMaxConsecutiveRetries, dailyAsyncExecutions,
                maxActiveBatches, flexQueueCapacity, maxSchedules, jobRetentionDays, syncLimits, asyncLimits, fairUsage,
                minScheduleIntervalSeconds);
    }

    /** A copy with another retention of terminal jobs. */
    public TenantPolicy withJobRetentionDays(int days) {
        return new TenantPolicy(defaultMaxStackDepth, maxDelayMinutes, defaultDelayMinutes, enqueuePerSyncExecution,
                enqueuePerAsyncExecution, futuresPerExecution, finalizerMaxConsecutiveRetries, dailyAsyncExecutions,
                maxActiveBatches, flexQueueCapacity, maxSchedules, days, syncLimits, asyncLimits, fairUsage,
                minScheduleIntervalSeconds);
    }

    /** A copy with another cap on consecutive finalizer-driven retries. */
    public TenantPolicy withFinalizerMaxConsecutiveRetries(int retries) {
        return new TenantPolicy(defaultMaxStackDepth, maxDelayMinutes, defaultDelayMinutes, enqueuePerSyncExecution,
                enqueuePerAsyncExecution, futuresPerExecution, retries, dailyAsyncExecutions, maxActiveBatches,
                flexQueueCapacity, maxSchedules, jobRetentionDays, syncLimits, asyncLimits, fairUsage,
                minScheduleIntervalSeconds);
    }

    /** A copy with other governor limits for synchronous and asynchronous executions. */
    public TenantPolicy withLimits(LimitProfile sync, LimitProfile async) {
        return new TenantPolicy(defaultMaxStackDepth, maxDelayMinutes, defaultDelayMinutes, enqueuePerSyncExecution,
                enqueuePerAsyncExecution, futuresPerExecution, finalizerMaxConsecutiveRetries, dailyAsyncExecutions,
                maxActiveBatches, flexQueueCapacity, maxSchedules, jobRetentionDays,
                java.util.Objects.requireNonNull(sync, "sync limits"), java.util.Objects.requireNonNull(async, "async limits"), fairUsage,
                minScheduleIntervalSeconds);
    }

    /** A copy with other queueable and future allowances per execution (the queueable and future limits). */
    public TenantPolicy withEnqueueLimits(int perSyncExecution, int perAsyncExecution, int futures) {
        return new TenantPolicy(defaultMaxStackDepth, maxDelayMinutes, defaultDelayMinutes, perSyncExecution,
                perAsyncExecution, futures, finalizerMaxConsecutiveRetries, dailyAsyncExecutions,
                maxActiveBatches, flexQueueCapacity, maxSchedules, jobRetentionDays, syncLimits, asyncLimits, fairUsage,
                minScheduleIntervalSeconds);
    }

    /** A copy with another fair usage: weight, flow control, tiers, caps and rate limits. */
    public TenantPolicy withFairUsage(FairUsage fairUsage) {
        return new TenantPolicy(defaultMaxStackDepth, maxDelayMinutes, defaultDelayMinutes, enqueuePerSyncExecution,
                enqueuePerAsyncExecution, futuresPerExecution, finalizerMaxConsecutiveRetries, dailyAsyncExecutions,
                maxActiveBatches, flexQueueCapacity, maxSchedules, jobRetentionDays, syncLimits, asyncLimits,
                java.util.Objects.requireNonNull(fairUsage, "fairUsage"), minScheduleIntervalSeconds);
    }

    /** A copy with another daily async execution allocation (LIM-6). */
    public TenantPolicy withDailyAsyncExecutions(int executions) {
        return new TenantPolicy(defaultMaxStackDepth, maxDelayMinutes, defaultDelayMinutes, enqueuePerSyncExecution,
                enqueuePerAsyncExecution, futuresPerExecution, finalizerMaxConsecutiveRetries, executions,
                maxActiveBatches, flexQueueCapacity, maxSchedules, jobRetentionDays, syncLimits, asyncLimits, fairUsage,
                minScheduleIntervalSeconds);
    }

    /**
     * A copy with another shortest interval between a schedule's fire times (SPEC.md SCH-6): 60 seconds by default,
     * 3,600 for Salesforce's rule of at most one fire an hour.
     */
    public TenantPolicy withMinScheduleIntervalSeconds(int seconds) {
        return new TenantPolicy(defaultMaxStackDepth, maxDelayMinutes, defaultDelayMinutes, enqueuePerSyncExecution,
                enqueuePerAsyncExecution, futuresPerExecution, finalizerMaxConsecutiveRetries, dailyAsyncExecutions,
                maxActiveBatches, flexQueueCapacity, maxSchedules, jobRetentionDays, syncLimits, asyncLimits, fairUsage,
                seconds);
    }
}
