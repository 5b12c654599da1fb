package dev.millrace.examples.demo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DemoWorkloadTest {

    @ParameterizedTest
    @ValueSource(ints = {120, 1_000, 2_000, 3_000, 10_001, 250_000})
    void planFillsEachTenantsShareExactly(int jobs) {
        DemoWorkload plan = DemoWorkload.of(jobs);

        assertThat(plan.tenants()).extracting(p -> p.tenant().value()).containsExactly("acme", "globex", "initech");
        // Receipt batches absorb the remainder, so each share is met to the job (within one for rounding).
        assertThat(plan.tenants().get(0).expectedJobs()).isBetween(jobs * 6 / 10 - 1, jobs * 6 / 10);
        assertThat(plan.tenants().get(1).expectedJobs()).isBetween(jobs * 3 / 10 - 1, jobs * 3 / 10);
        assertThat(plan.tenants().get(2).expectedJobs()).isBetween(jobs / 10 - 1, jobs / 10);
        assertThat(plan.tenants()).allSatisfy(p -> assertThat(p.receiptBatches())
                .allSatisfy(n -> assertThat(n).isBetween(1, SendPaymentReceipts.MAX_BATCH)));
    }

    @Test
    void theSmallestPlanStillHasEveryKindOfWork() {
        DemoWorkload plan = DemoWorkload.of(DemoWorkload.MIN_JOBS);

        assertThat(plan.tenants().get(0).invoiceChains()).isPositive();
        assertThat(plan.tenants().get(0).paymentSyncs()).isPositive();
        assertThat(plan.tenants().get(0).receiptBatches()).isNotEmpty();
        assertThat(plan.expectedJobs()).isGreaterThanOrEqualTo(DemoWorkload.MIN_JOBS);
    }

    @Test
    void aSizeOutsideTheRangeIsRefusedNamingIt() {
        assertThatThrownBy(() -> DemoWorkload.of(59))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("jobs 59 is out of range: expected 60 to 1000000");
    }

    @Test
    void jobCountsFollowTheRetryRules() {
        // Each attempt is a queueable and its finalizer; the finalizer stops retrying after the maximum.
        assertThat(SyncPayments.jobsPerBatch(0, 3)).isEqualTo(2);
        assertThat(SyncPayments.jobsPerBatch(2, 3)).isEqualTo(6);
        assertThat(SyncPayments.jobsPerBatch(Integer.MAX_VALUE, 3)).isEqualTo(8);
        assertThat(GenerateInvoices.jobsPerChain(4)).isEqualTo(8);
        assertThat(SendPaymentReceipts.jobsPerBatch(40)).isEqualTo(41);
    }
}
