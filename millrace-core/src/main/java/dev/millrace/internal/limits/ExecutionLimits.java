package dev.millrace.internal.limits;

import dev.millrace.limits.Limit;
import dev.millrace.limits.LimitException;
import dev.millrace.limits.LimitProfile;
import dev.millrace.limits.Limits;

import java.lang.management.ManagementFactory;

/**
 * The governor limits of one execution: counters, budgets and the breach that ends it. Counters are
 * written by the execution's own thread; CPU and heap come from the JVM's per-thread counters, read by the
 * thread itself at counted operations and by the node's watchdog from outside ({@link #checkFromOutside()}).
 *
 * <p>Once a limit is exceeded the breach is kept: every further counted operation throws it again, and the
 * runner fails the execution even when user code caught the exception.
 */
public final class ExecutionLimits implements Limits {
    private static final com.sun.management.ThreadMXBean THREADS = threads();
    private static final ThreadLocal<ExecutionLimits> CURRENT = new ThreadLocal<>();
    private static volatile boolean accounting = true;

    private final String profile;
    private final long[] budget = new long[Limit.values().length];
    private final long[] used = new long[Limit.values().length];
    private final Thread thread;
    private final boolean enabled;
    /** The thread's CPU clock when first read in this execution, or -1: read lazily, it is a system call. */
    private volatile long cpuBaseNanos = -1;
    /** Wall time from the start to that first read, counted as CPU (an upper bound: CPU never exceeds wall). */
    private volatile long cpuBaseWallNanos;
    private volatile long wallStartNanos;
    private final long cpuBudgetNanos;
    private volatile long heapStartBytes;
    private volatile LimitException breach;

    /**
     * Limits for an execution about to start on the calling thread.
     *
     * @param profile "sync", "async" or "finalizer"
     * @param limits the profile's budgets
     * @param queueables the queueable allowance
     * @param futures the future allowance
     */
    public ExecutionLimits(String profile, LimitProfile limits, long queueables, long futures) {
        this.profile = profile;
        for (Limit l : Limit.values()) {
            budget[l.ordinal()] = switch (l) {
                case QUEUEABLE_JOBS -> queueables;
                case FUTURE_CALLS -> futures;
                // The tenant's cursor policy sets it when the execution first uses a cursor (setCursorFetchBudget).
                case CURSOR_FETCHES -> dev.millrace.cursor.CursorPolicy.DEFAULTS.fetchesPerExecution();
                default -> limits.budget(l);
            };
        }
        this.thread = Thread.currentThread();
        this.enabled = accounting && THREADS != null;
        this.wallStartNanos = System.nanoTime();
        long cpuBudget = budget[Limit.CPU_TIME.ordinal()];
        this.cpuBudgetNanos = cpuBudget > Long.MAX_VALUE / 1_000_000 ? Long.MAX_VALUE : cpuBudget * 1_000_000;
        this.heapStartBytes = enabled ? THREADS.getCurrentThreadAllocatedBytes() : 0;
    }

    /**
     * Turns CPU, heap, query and DML accounting on or off for executions that start afterwards. Internal: the
     * benchmark compares both; a production node always accounts.
     */
    public static void setAccounting(boolean on) {
        accounting = on;
    }

    /** The limits of the execution running on this thread, or null. */
    public static ExecutionLimits current() {
        return CURRENT.get();
    }

    /**
     * Starts a new execution with these limits on the calling thread: usage back to zero, CPU and heap measured
     * from now. A batch's finish is a new execution in the context its start and chunks ran in.
     */
    public synchronized void restart() {
        java.util.Arrays.fill(used, 0);
        breach = null;
        cpuBaseNanos = -1;
        cpuBaseWallNanos = 0;
        wallStartNanos = System.nanoTime();
        heapStartBytes = enabled ? THREADS.getCurrentThreadAllocatedBytes() : 0;
    }

    /** Makes these the limits of the calling thread's execution (until {@link #detach()}). */
    public void attach() {
        CURRENT.set(this);
    }

    /** Ends the calling thread's association with any execution's limits. */
    public static void detach() {
        CURRENT.remove();
    }

    /**
     * Counts {@code n} uses of a limit for the execution on this thread, if any: the hook for platform code
     * outside the engine (event publishing counts {@link Limit#PUBLISH_IMMEDIATE}, email {@link Limit#EMAILS}).
     *
     * @throws LimitException when the count exceeds the budget
     */
    public static void count(Limit limit, long n) {
        ExecutionLimits l = CURRENT.get();
        if (l != null) l.add(limit, n);
    }

    /** Whether this execution measures CPU, heap, queries and DML (false only in the benchmark's baseline). */
    public boolean accounting() {
        return enabled;
    }

    @Override
    public String profile() {
        return profile;
    }

    @Override
    public long used(Limit limit) {
        return switch (limit) {
            case CPU_TIME -> cpuMillis();
            case HEAP_SIZE -> heapBytes();
            case WALL_CLOCK -> wallMillis();
            default -> used[limit.ordinal()];
        };
    }

    @Override
    public long budget(Limit limit) {
        return budget[limit.ordinal()];
    }

    /** The breach that ended this execution, or null. */
    public LimitException breach() {
        return breach;
    }

    /** Throws the breach again if a limit was exceeded: every counted operation after a breach fails. */
    public void checkBreach() {
        LimitException b = breach;
        if (b != null) throw again(b);
    }

    /**
     * Counts {@code n} uses and throws when the usage exceeds the budget; CPU and heap are checked too.
     */
    public void add(Limit limit, long n) {
        checkBreach();
        int i = limit.ordinal();
        used[i] += n;
        if (used[i] > budget[i]) throw exceed(limit, used[i], null);
        checkResources();
    }

    /** Like {@link #add} with the message a caller words itself (kept for the existing enqueue messages). */
    public void add(Limit limit, long n, String message) {
        checkBreach();
        int i = limit.ordinal();
        if (used[i] + n > budget[i]) throw exceed(limit, used[i] + n, message);
        used[i] += n;
        checkResources();
    }

    /** Counts from another thread (an async callout's completion); the breach shows at the next counted operation. */
    public synchronized void addFromAnyThread(Limit limit, long n) {
        int i = limit.ordinal();
        used[i] += n;
        if (used[i] > budget[i] && breach == null) breach = newException(limit, used[i], null);
    }

    /** Sets the cursor fetch budget from the tenant's cursor policy (read when the execution first uses a cursor). */
    public void setCursorFetchBudget(long fetches) {
        budget[Limit.CURSOR_FETCHES.ordinal()] = fetches;
    }

    /** Counts rows read or written without checking CPU and heap (called per row; cheap). */
    public void addRows(Limit limit, long n) {
        int i = limit.ordinal();
        used[i] += n;
        if (used[i] > budget[i]) {
            checkBreach();
            throw exceed(limit, used[i], null);
        }
    }

    /**
     * The last check, when the execution's code has returned: like {@link #checkResources()}, but an execution too
     * short to have read the CPU clock yet (no counted operation, not seen by the watchdog) never needs to.
     */
    public void checkResourcesAtEnd() {
        if (!enabled) return;
        if (cpuBaseNanos >= 0 || mayExceedCpu()) checkResources();
        else {
            long heap = heapBytes();
            if (heap > budget[Limit.HEAP_SIZE.ordinal()]) throw exceed(Limit.HEAP_SIZE, heap, null);
        }
    }

    /** Checks CPU time and heap from the execution's own thread. */
    public void checkResources() {
        if (!enabled) return;
        // A thread cannot use more CPU than the wall time that passed: until the wall time exceeds the CPU budget,
        // the CPU clock (a system call) is read only once, for its baseline.
        if (cpuBaseNanos < 0) cpuUsedNanos();
        if (mayExceedCpu()) {
            long cpu = cpuMillis();
            if (cpu > budget[Limit.CPU_TIME.ordinal()]) throw exceed(Limit.CPU_TIME, cpu, null);
        }
        long heap = heapBytes();
        if (heap > budget[Limit.HEAP_SIZE.ordinal()]) throw exceed(Limit.HEAP_SIZE, heap, null);
        long wall = wallMillis();
        if (wall > budget[Limit.WALL_CLOCK.ordinal()]) throw exceed(Limit.WALL_CLOCK, wall, null);
    }

    /** Milliseconds since the execution started: its wall-clock time. */
    private long wallMillis() {
        return (System.nanoTime() - wallStartNanos) / 1_000_000;
    }

    /**
     * Checks CPU time, heap and wall-clock time from another thread (the watchdog): on a breach, records it and interrupts the
     * execution's thread so a job spinning without counted operations stops at its next blocking call or
     * interruption check. Returns whether it breached.
     */
    public boolean checkFromOutside() {
        if (breach != null) return false;
        long wall = wallMillis();
        if (wall > budget[Limit.WALL_CLOCK.ordinal()]) return breachFromOutside(Limit.WALL_CLOCK, wall);
        if (!enabled) return false;
        long id = thread.threadId();
        // The first look takes the CPU baseline of an execution that has not made one itself.
        long cpu = cpuBaseNanos < 0 || mayExceedCpu() ? cpuUsedNanos() / 1_000_000 : 0;
        long heapNow = THREADS.getThreadAllocatedBytes(id);
        if (heapNow < 0) return false;
        long heap = heapNow - heapStartBytes;
        Limit hit = null;
        long usage = 0;
        if (cpu > budget[Limit.CPU_TIME.ordinal()]) {
            hit = Limit.CPU_TIME;
            usage = cpu;
        } else if (heap > budget[Limit.HEAP_SIZE.ordinal()]) {
            hit = Limit.HEAP_SIZE;
            usage = heap;
        }
        if (hit == null) return false;
        return breachFromOutside(hit, usage);
    }

    /** Records a breach seen by the watchdog and interrupts the execution's thread. */
    private boolean breachFromOutside(Limit hit, long usage) {
        synchronized (this) {
            if (breach != null) return false;
            breach = newException(hit, usage, null);
        }
        thread.interrupt();
        return true;
    }

    private boolean mayExceedCpu() {
        return System.nanoTime() - wallStartNanos > cpuBudgetNanos;
    }

    /** The thread the execution runs on. */
    public Thread thread() {
        return thread;
    }

    private long cpuMillis() {
        return enabled ? cpuUsedNanos() / 1_000_000 : 0;
    }

    /** CPU used since the start: since the baseline, plus the wall time before it (taken now if there is none). */
    private long cpuUsedNanos() {
        long now = Thread.currentThread() == thread ? THREADS.getCurrentThreadCpuTime()
                : THREADS.getThreadCpuTime(thread.threadId());
        if (now < 0) return 0;
        if (cpuBaseNanos < 0) {
            synchronized (this) {
                if (cpuBaseNanos < 0) {
                    cpuBaseWallNanos = System.nanoTime() - wallStartNanos;
                    cpuBaseNanos = now;
                }
            }
        }
        return Math.max(0, now - cpuBaseNanos) + cpuBaseWallNanos;
    }

    private long heapBytes() {
        if (!enabled) return 0;
        long now = Thread.currentThread() == thread ? THREADS.getCurrentThreadAllocatedBytes()
                : THREADS.getThreadAllocatedBytes(thread.threadId());
        return Math.max(0, now - heapStartBytes);
    }

    private LimitException exceed(Limit limit, long usage, String message) {
        LimitException e;
        synchronized (this) {
            if (breach != null) return again(breach);
            e = newException(limit, usage, message);
            breach = e;
        }
        return e;
    }

    private LimitException newException(Limit limit, long usage, String message) {
        long b = budget[limit.ordinal()];
        String text = message != null ? message : "governor limit exceeded: " + limit.label() + " " + usage
                + limit.unit() + " (budget " + b + limit.unit() + " per " + profile + " execution, limit " + limit + ")";
        return new LimitException(limit, b, usage, text);
    }

    /** A fresh exception for the same breach, so each throw has its own stack trace. */
    private static LimitException again(LimitException b) {
        LimitException e = new LimitException(b.limit(), b.budget(), b.usage(), b.getMessage());
        e.addSuppressed(b);
        return e;
    }

    private static com.sun.management.ThreadMXBean threads() {
        try {
            if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
                    && t.isThreadCpuTimeSupported() && t.isThreadAllocatedMemorySupported()) {
                if (!t.isThreadCpuTimeEnabled()) t.setThreadCpuTimeEnabled(true);
                if (!t.isThreadAllocatedMemoryEnabled()) t.setThreadAllocatedMemoryEnabled(true);
                return t;
            }
        } catch (UnsupportedOperationException | SecurityException e) {
            // no per-thread counters on this JVM: CPU and heap are not limited
        }
        return null;
    }
}
