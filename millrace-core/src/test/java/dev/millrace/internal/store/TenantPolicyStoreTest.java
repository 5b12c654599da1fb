package dev.millrace.internal.store;

import dev.millrace.JobType;
import dev.millrace.TenantId;
import dev.millrace.TenantPolicy;
import dev.millrace.fair.FairUsage;
import dev.millrace.internal.store.sql.SqlStore;
import dev.millrace.limits.Limit;
import dev.millrace.limits.LimitProfile;
import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import dev.millrace.testing.TestDatabase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Tenant policies through the real store: every field the features added survives, and old rows read as defaults. */
class TenantPolicyStoreTest extends DatabaseTest {
    static final TenantId ACME = TenantId.of("acme");

    @ParameterizedTest
    @EnumSource(Db.class)
    void everyFieldOfAPolicyRoundTrips(Db db) {
        TestDatabase d = database(db);
        SqlStore sql = closeAfter(SqlStore.open(d.dataSource(), null, null, null, null, d.schema(), 2, true));
        TenantPolicy policy = TenantPolicy.DEFAULTS.withDefaultMaxStackDepth(7).withDelayMinutes(2, 30)
                .withJobRetentionDays(3).withFinalizerMaxConsecutiveRetries(9).withEnqueueLimits(40, 2, 30)
                .withDailyAsyncExecutions(1234)
                .withLimits(LimitProfile.SYNC.with(Limit.QUERIES, 11), LimitProfile.ASYNC.with(Limit.CPU_TIME, 5_000))
                .withFairUsage(FairUsage.DEFAULTS.withWeight(3).withDomination(40, 500).withTierPercents(List.of(100, 30))
                        .withMaxRunning(JobType.BATCH, 2).withMaxStartsPerSecond(JobType.QUEUEABLE, 50));
        sql.tenants().put(ACME, policy, Instant.now());
        assertThat(sql.tenants().policy(ACME)).contains(policy);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aPolicyStoredBeforeLimitsAndFairUsageExistedReadsWithTheirDefaults(Db db) {
        TestDatabase d = database(db);
        SqlStore sql = closeAfter(SqlStore.open(d.dataSource(), null, null, null, null, d.schema(), 2, true));
        d.execute("INSERT INTO \"" + d.schema() + "\".mr_tenant (tenant_id, policy, created_at, updated_at) VALUES"
                + " ('acme', '{\"defaultMaxStackDepth\":4,\"maxDelayMinutes\":10,\"jobRetentionDays\":2}',"
                + " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)");
        TenantPolicy read = sql.tenants().policy(ACME).orElseThrow();
        assertThat(read).isEqualTo(TenantPolicy.DEFAULTS.withDefaultMaxStackDepth(4).withJobRetentionDays(2));
        // A partial nested override keeps the other keys of the profile.
        d.execute("UPDATE \"" + d.schema() + "\".mr_tenant SET policy = '{\"asyncLimits\":{\"queries\":20},"
                + "\"fairUsage\":{\"maxRunning\":{\"BATCH\":1}}}'");
        read = sql.tenants().policy(ACME).orElseThrow();
        assertThat(read.asyncLimits()).isEqualTo(LimitProfile.ASYNC.with(Limit.QUERIES, 20));
        assertThat(read.fairUsage()).isEqualTo(FairUsage.DEFAULTS.withMaxRunning(JobType.BATCH, 1));
    }
}
