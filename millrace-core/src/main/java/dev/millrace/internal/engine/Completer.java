package dev.millrace.internal.engine;

import dev.millrace.internal.store.ClaimedJob;
import dev.millrace.internal.store.Completion;
import dev.millrace.internal.store.JobStore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingDeque;

/**
 * Writes completions of jobs that did not open a transaction, many per transaction. A batch that cannot be
 * written is retried; if the node dies first, the jobs' leases expire and they are rescued (at least once).
 *
 * <p>Where the store's claims carry completions ({@link JobStore#claimsCarryCompletions()}, H2: each commit writes a
 * chunk of every page it dirtied), the dispatcher takes what is pending into its next claim's transaction
 * ({@link #takeForClaim()}), so a busy node commits once per claim rather than once per claim and once or more per
 * completion batch. The completer then writes only completions that no claim took within {@link #CARRY_WAIT} (the
 * dispatcher is idle, or waits for workers), or a full batch.
 */
final class Completer extends LoopService implements JobRunner.Sink {
    static final int MAX_BATCH = 1000;
    /** How long a completion waits for a claim to carry it before the completer writes it itself. */
    static final Duration CARRY_WAIT = Duration.ofMillis(5);
    private static final Duration IDLE_WAIT = Duration.ofSeconds(1);

    /** A completion waiting to be written: its job (for this node's ended jobs) and when it was added. */
    record Pending(Completion completion, ClaimedJob job, long at) {
    }

    private final JobStore store;
    private final EndedJobs ended;
    private final boolean carried;
    private final LinkedBlockingDeque<Pending> pending = new LinkedBlockingDeque<>();

    Completer(JobStore store, EndedJobs ended) {
        super("millrace-completer");
        this.store = store;
        this.ended = ended;
        this.carried = store.claimsCarryCompletions();
    }

    /** Whether the dispatcher's claims carry pending completions ({@link #takeForClaim()}). */
    boolean carried() {
        return carried;
    }

    @Override
    public void accept(Completion completion, ClaimedJob job) {
        // Carried, the completer is woken only by the first one pending: it then waits for that one's deadline, and a
        // completion added behind it is no older.
        boolean first = pending.isEmpty();
        pending.add(new Pending(completion, job, System.nanoTime()));
        if (!carried || first) wake();
    }

    @Override
    Duration tick() {
        if (carried) {
            Pending first = pending.peekFirst();
            if (first == null) return IDLE_WAIT;
            long left = CARRY_WAIT.toNanos() - (System.nanoTime() - first.at());
            if (left > 0 && pending.size() < MAX_BATCH) return Duration.ofNanos(left);
        }
        return runOnce() > 0 ? Duration.ZERO : IDLE_WAIT;
    }

    /**
     * Takes up to a batch of pending completions for the dispatcher to write in its claim's transaction; it must then
     * report them {@link #written} after the commit, or hand them back ({@link #putBack}) if that transaction failed.
     */
    List<Pending> takeForClaim() {
        if (!carried || pending.isEmpty()) return List.of();
        return drain();
    }

    /** The completions of these pending ones, in order. */
    static List<Completion> completions(List<Pending> taken) {
        List<Completion> out = new ArrayList<>(taken.size());
        for (Pending p : taken) out.add(p.completion());
        return out;
    }

    /** Gives back completions taken for a claim whose transaction failed: they are written first. */
    void putBack(List<Pending> taken) {
        for (int i = taken.size() - 1; i >= 0; i--) pending.addFirst(taken.get(i));
        wake();
    }

    /** After the commit that wrote them: the ends it wrote ({@code accepted}; a lost lease wrote nothing) count. */
    void written(List<Pending> taken, Set<UUID> accepted) {
        for (Pending p : taken) {
            Completion c = p.completion();
            if (accepted.contains(c.id())) ended.ended(p.job(), c.status(), c.completedAt());
        }
    }

    private List<Pending> drain() {
        List<Pending> taken = new ArrayList<>();
        pending.drainTo(taken, MAX_BATCH);
        return taken;
    }

    /** Writes up to one batch; returns how many completions it wrote. */
    int runOnce() {
        List<Pending> batch = drain();
        if (batch.isEmpty()) return 0;
        Set<UUID> accepted;
        try {
            accepted = store.complete(completions(batch));
        } catch (RuntimeException e) {
            putBack(batch);
            throw e;
        }
        written(batch, accepted);
        return batch.size();
    }

    /** Writes everything pending (at shutdown). */
    void flush() {
        while (runOnce() > 0) {
            // keep writing
        }
    }
}
