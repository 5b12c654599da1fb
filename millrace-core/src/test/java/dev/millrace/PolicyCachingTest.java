package dev.millrace;

import dev.millrace.cursor.CursorPolicy;
import dev.millrace.event.EventPolicy;
import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import dev.millrace.testing.MutableClock;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.function.BiConsumer;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/** The tenant policies a node caches (tenant, event and cursor policies): how soon a change is seen where. */
class PolicyCachingTest extends DatabaseTest {
    static final TenantId ACME = TenantId.of("acme");
    /** EventBus.POLICY_CACHE and CursorService.POLICY_CACHE. */
    static final Duration CACHE_TIME = Duration.ofSeconds(5);

    @ParameterizedTest
    @EnumSource(Db.class)
    void aChangeIsSeenAtOnceOnItsNodeAndOnAnotherOnceTheCacheTimeHasPassed(Db db) {
        MutableClock clock = MutableClock.now();
        Millrace here = node(builder(db).nodeId("here").clock(clock));
        Millrace there = node(builder(db).nodeId("there").clock(clock));
        tenants(here, ACME);

        seenAtOnceHereAndAfterTheCacheTimeThere(clock, here, there, m -> m.events().policy(ACME),
                (m, p) -> m.events().putPolicy(ACME, p), EventPolicy.DEFAULTS,
                EventPolicy.DEFAULTS.withPublishPerHour(500));
        seenAtOnceHereAndAfterTheCacheTimeThere(clock, here, there, m -> m.cursors().policy(ACME),
                (m, p) -> m.cursors().putPolicy(ACME, p), CursorPolicy.DEFAULTS,
                CursorPolicy.DEFAULTS.withMaxRows(2000));
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aTenantPolicyChangeIsSeenAtOnceOnItsNodeAndOnAnotherAfterThirtySeconds(Db db) {
        // The enqueue path reads the tenant's policy through the cache: its default delay shows which copy it used.
        MutableClock clock = MutableClock.now();
        Millrace here = node(builder(db).nodeId("here").clock(clock).register(TestJobs.Record.class));
        Millrace there = node(builder(db).nodeId("there").clock(clock).register(TestJobs.Record.class));
        tenants(here, ACME);
        Function<Millrace, Duration> delay = m -> {
            JobRecord job = m.jobs().find(ACME, m.enqueue(ACME, new TestJobs.Record("x"))).orElseThrow();
            return Duration.between(job.createdAt(), job.runAt());
        };
        assertThat(delay.apply(there)).isZero();
        TenantPolicy delayed = TenantPolicy.DEFAULTS.withDelayMinutes(5, TenantPolicy.DEFAULTS.maxDelayMinutes());
        here.tenants().put(ACME, delayed);
        assertThat(delay.apply(here)).as("on the node that changed it, at once").isEqualTo(Duration.ofMinutes(5));
        clock.advance(Duration.ofSeconds(30).minusMillis(1));
        assertThat(delay.apply(there)).as("on another node, within the cache time").isZero();
        clock.advance(Duration.ofMillis(1));
        assertThat(delay.apply(there)).as("on another node, once the cache time has passed")
                .isEqualTo(Duration.ofMinutes(5));
    }

    private static <P> void seenAtOnceHereAndAfterTheCacheTimeThere(MutableClock clock, Millrace here, Millrace there,
            Function<Millrace, P> read, BiConsumer<Millrace, P> put, P defaults, P changed) {
        assertThat(read.apply(here)).isEqualTo(defaults);
        assertThat(read.apply(there)).isEqualTo(defaults);
        put.accept(here, changed);
        assertThat(read.apply(here)).as("on the node that changed it, at once").isEqualTo(changed);
        clock.advance(CACHE_TIME.minusMillis(1));
        assertThat(read.apply(there)).as("on another node, within the cache time").isEqualTo(defaults);
        clock.advance(Duration.ofMillis(1));
        assertThat(read.apply(there)).as("on another node, once the cache time has passed").isEqualTo(changed);
    }
}
