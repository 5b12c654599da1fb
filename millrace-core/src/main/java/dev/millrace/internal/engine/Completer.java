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
 */
final class Completer extends LoopService implements Consumer<Completion> {
    static final int MAX_BATCH = 1000;
    private static final Duration IDLE_WAIT = Duration.ofSeconds(1);

    private final JobStore store;
    private final LinkedBlockingDeque<Completion> pending = new LinkedBlockingDeque<>();

    Completer(JobStore store) {
        super("millrace-completer");
        this.store = store;
    }

    @Override
    public void accept(Completion completion) {
        pending.add(completion);
        wake();
    }

    @Override
    Duration tick() {
        return runOnce() > 0 ? Duration.ZERO : IDLE_WAIT;
    }

    /** Writes up to one batch; returns how many completions it wrote. */
    int runOnce() {
        List<Completion> batch = new ArrayList<>();
        pending.drainTo(batch, MAX_BATCH);
        if (batch.isEmpty()) return 0;
        try {
            store.complete(batch);
        } catch (RuntimeException e) {
            for (int i = batch.size() - 1; i >= 0; i--) pending.addFirst(batch.get(i));
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
