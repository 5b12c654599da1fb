package dev.millrace.examples.demo;

import dev.millrace.JobId;
import dev.millrace.JobLogEntry;
import dev.millrace.batch.BatchError;
import dev.millrace.test.AsyncTest;
import dev.millrace.test.MillraceTest;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@MillraceTest(register = ReconcileLedger.class)
class ReconcileLedgerTest {

    @Test
    void chunksHoldingAnUnmatchedEntryFailAndTheTotalCountsOnlyCommittedChunks(AsyncTest test) {
        test.startTest();
        JobId batch = test.executeBatch(new ReconcileLedger("2026-10", 2_000, 900), DemoFeatures.LEDGER_SCOPE);
        test.stopTest();

        test.assertCompleted(batch);
        List<BatchError> errors = test.millrace().batches().errors(test.tenant(), batch);
        // Entries 900 and 1,800 have no settlement: the chunks 801-1,000 and 1,601-1,800 fail, whole.
        assertThat(errors).extracting(BatchError::message).containsExactlyInAnyOrder(
                "ledger entry L-000900 of 2026-10 has no matching settlement",
                "ledger entry L-001800 of 2026-10 has no matching settlement");
        assertThat(errors).allSatisfy(e -> assertThat(e.failedRecordIds()).hasSize(DemoFeatures.LEDGER_SCOPE));
        // The stateful total is the committed chunks' only: 8 of 10, nothing of the failed ones.
        assertThat(test.log(batch)).extracting(JobLogEntry::message)
                .contains("reconciled 1,600 of 2,000 entries of 2026-10: 80,481.00");
    }

    @Test
    void withoutUnmatchedEntriesEveryEntryIsReconciled(AsyncTest test) {
        test.startTest();
        JobId batch = test.executeBatch(new ReconcileLedger("2026-11-24", 400, 0), DemoFeatures.LEDGER_SCOPE);
        test.stopTest();

        test.assertCompleted(batch);
        assertThat(test.millrace().batches().errors(test.tenant(), batch)).isEmpty();
        assertThat(test.log(batch)).extracting(JobLogEntry::message)
                .anyMatch(m -> m.startsWith("reconciled 400 of 400 entries of 2026-11-24: "));
    }
}
