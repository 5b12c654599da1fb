package dev.millrace.examples.demo;

import dev.millrace.batch.BatchContext;
import dev.millrace.batch.BatchSource;
import dev.millrace.batch.Batchable;
import dev.millrace.batch.Stateful;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reconciles a period's ledger entries against the settlements, a chunk at a time. It is {@link Stateful}: the
 * running totals are stored with every committed chunk, so {@code finish} sees the sum of the chunks that
 * succeeded. A few entries have no matching settlement; the chunk holding one fails and is rolled back, and the
 * batch goes on (the dashboard shows the chunk errors with the failing entry ids).
 */
public class ReconcileLedger implements Batchable<LedgerEntry>, Stateful {
    /** Milliseconds matching one chunk takes. */
    static final long CHUNK_MILLIS = 5;

    /** The period reconciled, e.g. {@code 2026-10}. */
    public String period;
    /** How many entries the period has. */
    public int entries;
    /** Every how many entries one has no settlement (0: none). */
    public int unmatchedEvery;
    /** Entries reconciled by the chunks committed so far. */
    public int reconciled;
    /** Their amount, in cents. */
    public long reconciledCents;

    /** For the platform's JSON state. */
    public ReconcileLedger() {
    }

    /** A reconciliation of {@code entries} entries, one in {@code unmatchedEvery} without a settlement. */
    public ReconcileLedger(String period, int entries, int unmatchedEvery) {
        this.period = period;
        this.entries = entries;
        this.unmatchedEvery = unmatchedEvery;
    }

    @Override
    public BatchSource<LedgerEntry> start(BatchContext ctx) {
        List<LedgerEntry> lines = new ArrayList<>(entries);
        for (int i = 1; i <= entries; i++) {
            boolean matched = unmatchedEvery == 0 || i % unmatchedEvery != 0;
            lines.add(new LedgerEntry(String.format("L-%06d", i), "4000-" + (i % 7), 1_000L + 17L * (i % 500), matched));
        }
        ctx.log().info("reconciling {0} ledger entries of {1}", entries, period);
        return BatchSource.of(lines);
    }

    @Override
    public void execute(BatchContext ctx, List<LedgerEntry> scope) throws InterruptedException {
        SimulatedWork.call(CHUNK_MILLIS);
        for (LedgerEntry e : scope) {
            if (!e.matched()) {
                throw new IllegalStateException("ledger entry " + e.id() + " of " + period
                        + " has no matching settlement");
            }
            reconciled++;
            reconciledCents += e.amountCents();
        }
    }

    @Override
    public void finish(BatchContext ctx) {
        ctx.log().info(String.format(Locale.ROOT, "reconciled %,d of %,d entries of %s: %,.2f", reconciled, entries,
                period, BigDecimal.valueOf(reconciledCents, 2)));
    }

    @Override
    public String recordId(LedgerEntry record) {
        return record.id();
    }
}
