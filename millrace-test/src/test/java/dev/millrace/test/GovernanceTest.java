package dev.millrace.test;

import dev.millrace.JobId;
import dev.millrace.JobStatus;
import dev.millrace.Queueable;
import dev.millrace.QueueableContext;
import dev.millrace.TenantPolicy;
import dev.millrace.limits.Limit;
import dev.millrace.limits.LimitProfile;
import org.junit.jupiter.api.Test;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/** Governor limits hold in inline runs, and tests switch feature flags. */
class GovernanceTest {

    /** Issues three queries, then records that it ran. */
    public static class ThreeQueries implements Queueable {
        @Override
        public void execute(QueueableContext context) {
            try {
                for (int i = 0; i < 3; i++) {
                    try (Statement s = context.connection().createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
                        rs.next();
                    }
                }
                TestJobs.record(context, "queried");
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Records the value of the flag "beta" its execution read. */
    public static class ReadsBeta implements Queueable {
        @Override
        public void execute(QueueableContext context) {
            try {
                TestJobs.record(context, "beta " + context.flag("beta"));
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void limitsAreEnforcedWhenStopTestRunsJobs() {
        TenantPolicy two = TenantPolicy.DEFAULTS.withLimits(LimitProfile.SYNC, LimitProfile.ASYNC.with(Limit.QUERIES, 2));
        try (AsyncTest test = AsyncTest.builder().register(ThreeQueries.class).tenantPolicy(two).open()) {
            TestJobs.createRanTable(test);
            test.startTest();
            JobId id = test.enqueue(new ThreeQueries());
            test.stopTest();
            assertThat(test.job(id).status()).isEqualTo(JobStatus.FAILED);
            assertThat(test.job(id).extendedStatus()).contains("queries 3 (budget 2 per async execution");
            assertThat(TestJobs.ran(test)).isEmpty();
        }
    }

    @Test
    void flagsAreSetInTestsAndHoldBoundJobs() {
        try (AsyncTest test = AsyncTest.builder().register(ReadsBeta.class, ThreeQueries.class)
                .bindToFlag(ThreeQueries.class, "querying").open()) {
            TestJobs.createRanTable(test);
            test.setFlag("beta", true);
            test.startTest();
            test.enqueue(new ReadsBeta());
            JobId held = test.enqueue(new ThreeQueries());
            test.stopTest();
            assertThat(TestJobs.ran(test)).containsExactly("beta true");
            assertThat(test.job(held).status()).isEqualTo(JobStatus.HOLDING);

            assertThat(test.setFlag("querying", true)).isEqualTo(1);
            assertThat(test.millrace().runJob(test.tenant(), held)).isTrue();
            assertThat(test.job(held).status()).isEqualTo(JobStatus.COMPLETED);
        }
    }
}
