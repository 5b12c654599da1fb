package dev.millrace.internal.engine;

import dev.millrace.internal.store.Completion;
import dev.millrace.internal.store.JobStore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.function.Consumer;

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
final class Completer extends LoopService implements Consumer<Completion> {
    static final int MAX_BATCH = 1000;
    /** How long a completion waits for a claim to carry it before the completer writes it itself. */
    static final Duration CARRY_WAIT = Duration.ofMillis(5);
    private static final Duration IDLE_WAIT = Duration.ofSeconds(1);

    private record Pending(Completion completion, long at) {
    }

    private final JobStore store;
    private final boolean carried;
    private final LinkedBlockingDeque<Pending> pending = new LinkedBlockingDeque<>();

    Completer(JobStore store) {
        super("millrace-completer");
        this.store = store;
        this.carried = store.claimsCarryCompletions();
    }

    /** Whether the dispatcher's claims carry pending completions ({@link #takeForClaim()}). */
    boolean carried() {
        return carried;
    }

    @Override
    public void accept(Completion completion) {
        // Carried, the completer is woken only by the first one pending: it then waits for that one's deadline, and a
        // completion added behind it is no older.
        boolean first = pending.isEmpty();
        pending.add(new Pending(completion, System.nanoTime()));
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
     * Takes up to a batch of pending completions for the dispatcher to write in its claim's transaction; it must hand
     * them back ({@link #putBack}) if that transaction fails.
     */
    List<Completion> takeForClaim() {
        if (!carried || pending.isEmpty()) return List.of();
        return drain();
    }

    /** Gives back completions taken for a claim whose transaction failed: they are written first. */
    void putBack(List<Completion> completions) {
        long now = System.nanoTime();
        for (int i = completions.size() - 1; i >= 0; i--) pending.addFirst(new Pending(completions.get(i), now));
        wake();
    }

    private List<Completion> drain() {
        List<Pending> taken = new ArrayList<>();
        pending.drainTo(taken, MAX_BATCH);
        List<Completion> batch = new ArrayList<>(taken.size());
        for (Pending p : taken) batch.add(p.completion());
        return batch;
    }

    /** Writes up to one batch; returns how many completions it wrote. */
    int runOnce() {
        List<Completion> batch = drain();
        if (batch.isEmpty()) return 0;
        try {
            store.complete(batch);
        } catch (RuntimeException e) {
            putBack(batch);
            throw e;
        }
        return batch.size();
    }

    /** Writes everything pending (at shutdown). */
    void flush() {
        while (runOnce() > 0) {
            // keep writing
        }
    }
}
