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
 */
final class Completer extends LoopService implements JobRunner.Sink {
    static final int MAX_BATCH = 1000;
    private static final Duration IDLE_WAIT = Duration.ofSeconds(1);

    private record Pending(Completion completion, ClaimedJob job) {
    }

    private final JobStore store;
    private final EndedJobs ended;
    private final LinkedBlockingDeque<Pending> pending = new LinkedBlockingDeque<>();

    Completer(JobStore store, EndedJobs ended) {
        super("millrace-completer");
        this.store = store;
        this.ended = ended;
    }

    @Override
    public void accept(Completion completion, ClaimedJob job) {
        pending.add(new Pending(completion, job));
        wake();
    }

    @Override
    Duration tick() {
        return runOnce() > 0 ? Duration.ZERO : IDLE_WAIT;
    }

    /** Writes up to one batch; returns how many completions it wrote. */
    int runOnce() {
        List<Pending> batch = new ArrayList<>();
        pending.drainTo(batch, MAX_BATCH);
        if (batch.isEmpty()) return 0;
        Set<UUID> accepted;
        try {
            accepted = store.complete(batch.stream().map(Pending::completion).toList());
        } catch (RuntimeException e) {
            for (int i = batch.size() - 1; i >= 0; i--) pending.addFirst(batch.get(i));
            throw e;
        }
        // Committed: the ends this node wrote (a completion whose lease was lost wrote nothing).
        for (Pending p : batch) {
            Completion c = p.completion();
            if (accepted.contains(c.id())) ended.ended(p.job(), c.status(), c.completedAt());
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
