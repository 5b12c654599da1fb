package dev.millrace.server;

import dev.millrace.batch.BatchContext;
import dev.millrace.batch.BatchSource;
import dev.millrace.batch.Batchable;

import java.util.ArrayList;
import java.util.List;

/** A test batch over the numbers 0 to {@code items - 1}; the chunk holding {@code failAt} fails. */
public class Count implements Batchable<Integer> {
    private int items;
    private int failAt;

    Count() {
    }

    /** A batch of {@code items} numbers failing at {@code failAt} (-1: never). */
    public Count(int items, int failAt) {
        this.items = items;
        this.failAt = failAt;
    }

    @Override
    public BatchSource<Integer> start(BatchContext ctx) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < items; i++) out.add(i);
        return BatchSource.of(out);
    }

    @Override
    public void execute(BatchContext ctx, List<Integer> scope) {
        if (scope.contains(failAt)) throw new IllegalStateException("number " + failAt + " is unlucky");
    }

    @Override
    public void finish(BatchContext ctx) {
    }
}
