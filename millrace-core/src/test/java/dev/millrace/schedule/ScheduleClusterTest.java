package dev.millrace.schedule;

import dev.millrace.Millrace;
import dev.millrace.TenantId;
import dev.millrace.TenantPolicy;
import dev.millrace.schedule.ScheduleJobs.Fire;
import dev.millrace.schedule.ScheduleJobs.RecordFire;
import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import dev.millrace.testing.MutableClock;
import dev.millrace.testing.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Several nodes on one database: each occurrence of each schedule fires on exactly one of them. */
class ScheduleClusterTest extends DatabaseTest {
    static final TenantId ACME = TenantId.of("acme");
    static final int SCHEDULES = 20;
    static final int OCCURRENCES = 30;

    @BeforeEach
    void reset() {
        ScheduleJobs.reset();
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void twoNodesRacingForEveryOccurrenceFireEachExactlyOnce(Db db) throws Exception {
        TestDatabase d = database(db);
        MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
        Millrace a = node(d.builder().clock(clock).nodeId("a").register(RecordFire.class));
        Millrace b = node(d.builder().clock(clock).nodeId("b").register(RecordFire.class));
        tenants(a, ACME);
        List<ScheduleId> ids = new ArrayList<>();
        for (int i = 0; i < SCHEDULES; i++) {
            ids.add(a.schedule(ACME, "s" + i, "0 * * * * ?", new RecordFire("s" + i), ZoneOffset.UTC));
        }

        CyclicBarrier together = new CyclicBarrier(2);
        int handled = 0;
        for (int minute = 1; minute <= OCCURRENCES; minute++) {
            clock.advance(Duration.ofMinutes(1));
            // Both nodes fire at the same moment, each on its own thread, as two scheduler loops would.
            CompletableFuture<Integer> onA = CompletableFuture.supplyAsync(() -> fireTogether(a, together));
            CompletableFuture<Integer> onB = CompletableFuture.supplyAsync(() -> fireTogether(b, together));
            handled += onA.get() + onB.get();
            a.runReadyJobs(ACME, 1000);
        }

        assertThat(handled).as("occurrences handled by either node").isEqualTo(SCHEDULES * OCCURRENCES);
        assertThat(ScheduleJobs.executionsPerOccurrence()).as("executions per occurrence").hasSize(SCHEDULES * OCCURRENCES)
                .allSatisfy((occurrence, n) -> assertThat(n).as(occurrence).isEqualTo(1));
        for (ScheduleId id : ids) {
            ScheduleRecord s = a.schedules().find(ACME, id).orElseThrow();
            assertThat(s.fireCount()).as("fires of %s", s.name()).isEqualTo(OCCURRENCES);
            assertThat(s.skippedCount()).as("skips of %s", s.name()).isZero();
        }
    }

    private static int fireTogether(Millrace node, CyclicBarrier together) {
        try {
            together.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return node.fireDueSchedules();
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void twoStartedNodesFireEverySecondWithoutADouble(Db db) {
        TestDatabase d = database(db);
        Millrace a = started(d.builder().nodeId("a").register(RecordFire.class));
        Millrace b = started(d.builder().nodeId("b").register(RecordFire.class));
        tenants(a, ACME);
        b.tenants().put(ACME, TenantPolicy.DEFAULTS.withMinScheduleIntervalSeconds(1));
        List<ScheduleId> ids = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ids.add(b.schedule(ACME, "s" + i, "* * * * * ?", new RecordFire("s" + i), ZoneOffset.UTC));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> ScheduleJobs.fires().size() >= 40);
        ids.forEach(id -> a.schedules().pause(ACME, id));
        await().atMost(Duration.ofSeconds(30)).until(() -> ids.stream()
                .mapToLong(id -> a.schedules().find(ACME, id).orElseThrow().fireCount()).sum() == ScheduleJobs.fires().size());

        assertThat(ScheduleJobs.executionsPerOccurrence()).as("executions per occurrence")
                .allSatisfy((occurrence, n) -> assertThat(n).as(occurrence).isEqualTo(1));
        Map<String, Set<Instant>> bySchedule = ScheduleJobs.fires().stream().collect(Collectors.groupingBy(
                Fire::scheduleId, Collectors.mapping(Fire::fireTime, Collectors.toSet())));
        assertThat(bySchedule).hasSize(10);
        bySchedule.values().forEach(times -> assertThat(times).allSatisfy(t -> assertThat(t.getNano()).isZero()));
    }
}
