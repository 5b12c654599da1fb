package dev.millrace.internal.engine;

import dev.millrace.JobId;
import dev.millrace.Millrace;
import dev.millrace.QueueableContext;
import dev.millrace.Queueable;
import dev.millrace.TenantId;
import dev.millrace.TenantPolicy;
import dev.millrace.internal.store.sql.SqlStore;
import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import dev.millrace.testing.MutableClock;
import dev.millrace.testing.TestDatabase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The pruner keeps jobs for their tenant's retention, then deletes them; only the leader prunes. */
class PrunerTest extends DatabaseTest {
    static final TenantId SHORT = TenantId.of("short");
    static final TenantId LONG = TenantId.of("long");

    static class NoOp implements Queueable {
        @Override
        public void execute(QueueableContext context) {
            context.log().info("ran");
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void endedJobsArePrunedAfterTheirTenantsRetention(Db db) {
        MutableClock clock = MutableClock.now();
        TestDatabase d = database(db);
        Millrace m = node(d.builder().clock(clock).register(NoOp.class));
        m.tenants().put(SHORT, TenantPolicy.DEFAULTS.withJobRetentionDays(1));
        m.tenants().create(LONG);
        JobId s = m.enqueue(SHORT, new NoOp());
        JobId l = m.enqueue(LONG, new NoOp());
        m.runReadyJobs(SHORT, 1);
        m.runReadyJobs(LONG, 1);
        JobId waiting = m.enqueue(SHORT, new NoOp());

        SqlStore sql = closeAfter(SqlStore.open(d.dataSource(), null, null, null, null, d.schema(), 2, true));
        Pruner pruner = new Pruner(sql.jobs(), sql.tenants(), sql.fair(), sql.leaderLock(), clock, Duration.ofMinutes(10));
        assertThat(pruner.runOnce()).isZero();
        clock.advance(Duration.ofDays(2));
        assertThat(pruner.runOnce()).isEqualTo(1);
        assertThat(m.jobs().find(SHORT, s)).isEmpty();
        assertThat(m.jobs().log(SHORT, s)).isEmpty();
        assertThat(m.jobs().find(SHORT, waiting)).isPresent();
        assertThat(m.jobs().find(LONG, l)).isPresent();
        clock.advance(Duration.ofDays(6));
        assertThat(pruner.runOnce()).isEqualTo(1);
        assertThat(m.jobs().find(LONG, l)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void onlyOneNodePrunesAtATime(Db db) throws Exception {
        TestDatabase d = database(db);
        SqlStore sql = closeAfter(SqlStore.open(d.dataSource(), null, null, null, null, d.schema(), 2, true));
        var entered = new java.util.concurrent.CountDownLatch(1);
        var release = new java.util.concurrent.CountDownLatch(1);
        Thread leader = Thread.ofPlatform().start(() -> sql.leaderLock().ifLeader("pruner", () -> {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return 1;
        }));
        entered.await();
        SqlStore other = closeAfter(SqlStore.open(d.dataSource(), null, null, null, null, d.schema(), 2, true));
        Pruner second = new Pruner(other.jobs(), other.tenants(), other.fair(), other.leaderLock(), MutableClock.now(),
                Duration.ofMinutes(10));
        assertThat(second.runOnce()).isEqualTo(-1);
        release.countDown();
        leader.join();
        assertThat(second.runOnce()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void dailyAllocationUsageOlderThanTheRollingDayIsPruned(Db db) {
        MutableClock clock = MutableClock.now();
        TestDatabase d = database(db);
        SqlStore sql = closeAfter(SqlStore.open(d.dataSource(), null, null, null, null, d.schema(), 2, true));
        java.time.Instant hour = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.HOURS);
        sql.fair().addExecutions("n1", hour.minus(Duration.ofHours(30)), java.util.Map.of(SHORT, 5L));
        sql.fair().addExecutions("n1", hour, java.util.Map.of(SHORT, 7L));
        Pruner pruner = new Pruner(sql.jobs(), sql.tenants(), sql.fair(), sql.leaderLock(), clock, Duration.ofMinutes(10));
        pruner.runOnce();
        assertThat(d.queryLong("SELECT COUNT(*) FROM \"" + d.schema() + "\".mr_usage_hour"))
                .as("the hour inside the rolling day stays, the one 30 hours ago goes").isEqualTo(1);
        assertThat(sql.fair().executions(SHORT, hour.minus(Duration.ofHours(23)), "other").values()).containsExactly(7L);
    }
}
