package dev.millrace.examples.demo;

import dev.millrace.schedule.Schedulable;
import dev.millrace.schedule.ScheduleContext;

/**
 * The schedule's work: start the ledger reconciliation batch, with the common pattern of a short scheduled
 * execution that hands the heavy work to a batch.
 *
 * @param entries how many ledger entries the period has
 * @param unmatchedEvery every how many entries one has no settlement
 */
public record NightlyReconciliation(int entries, int unmatchedEvery) implements Schedulable {
    @Override
    public void execute(ScheduleContext context) {
        String period = DemoFeatures.periodOf(context.fireTime());
        var id = DemoFeatures.node().executeBatch(context.tenant(), new ReconcileLedger(period, entries,
                unmatchedEvery), DemoFeatures.LEDGER_SCOPE);
        context.log().info("started reconciliation batch {0} for {1}", id, period);
    }
}
