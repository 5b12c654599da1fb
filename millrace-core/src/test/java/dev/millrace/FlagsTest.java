package dev.millrace;

import dev.millrace.event.DeliveryContext;
import dev.millrace.event.EventHandler;
import dev.millrace.event.EventRecord;
import dev.millrace.event.Events;
import dev.millrace.event.Subscription;
import dev.millrace.flags.FeatureFlags;
import dev.millrace.flags.FlagChange;
import dev.millrace.testing.DatabaseTest;
import dev.millrace.testing.Db;
import dev.millrace.testing.MutableClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import static dev.millrace.testing.Jobs.awaitStatus;
import static dev.millrace.testing.Jobs.awaitTerminal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Feature flags: reads, switches, jobs of bound classes held while off and released when on. */
class FlagsTest extends DatabaseTest {
    static final TenantId ACME = TenantId.of("acme");
    static final TenantId OTHER = TenantId.of("other");
    static final String FLAG = "invoicing";
    static final Set<String> RAN = ConcurrentHashMap.newKeySet();
    static final Map<String, Object> SEEN = new ConcurrentHashMap<>();
    static final AtomicReference<Millrace> MILLRACE = new AtomicReference<>();

    /** A job class bound to the flag {@value #FLAG}. */
    static class Gated implements Queueable {
        String name;

        Gated() {
        }

        Gated(String name) {
            this.name = name;
        }

        @Override
        public void execute(QueueableContext context) {
            RAN.add(name);
        }
    }

    /** Reads a flag, has it switched, reads it again. */
    static class ReadsFlag implements Queueable {
        @Override
        public void execute(QueueableContext context) {
            boolean before = context.flag("beta");
            MILLRACE.get().flags().set(context.tenant(), "beta", !before);
            SEEN.put("before", before);
            SEEN.put("after", context.flag("beta"));
        }
    }

    /** Records flag change events as "tenant flag old->new by who" (and whether they say when). */
    public static final class FlagWatcher implements EventHandler {
        static final List<String> CHANGES = new CopyOnWriteArrayList<>();

        @Override
        public void handle(List<EventRecord> events, DeliveryContext context) {
            for (EventRecord e : events) {
                CHANGES.add(e.getString("tenant") + " " + e.getString("flag") + " " + e.getBoolean("oldValue") + "->"
                        + e.getBoolean("newValue") + " by " + e.getString("changedBy")
                        + (e.getInstant("changedAt") == null ? " (no time)" : ""));
            }
        }
    }

    @BeforeEach
    void clear() {
        RAN.clear();
        SEEN.clear();
        FlagWatcher.CHANGES.clear();
    }

    private Millrace.Builder bound(Db db) {
        return builder(db).register(Gated.class).register(ReadsFlag.class).register(TestJobs.Record.class)
                .bindToFlag(Gated.class, FLAG);
    }

    private Millrace client(Db db) {
        Millrace m = node(bound(db));
        MILLRACE.set(m);
        tenants(m, ACME, OTHER);
        return m;
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void flagsReadFalseUntilSwitchedAndNamesAreChecked(Db db) {
        Millrace m = client(db);
        assertThat(m.flags().isEnabled(ACME, "beta")).isFalse();
        m.flags().set(ACME, "beta", true);
        assertThat(m.flags().isEnabled(ACME, "beta")).isTrue();
        assertThat(m.flags().isEnabled(OTHER, "beta")).as("flags are per tenant").isFalse();
        assertThat(m.flags().list(ACME)).containsExactly(Map.entry("beta", true));
        assertThatThrownBy(() -> m.flags().set(ACME, "no spaces", true)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("flag name 'no spaces' is invalid: expected 1 to 100 letters, digits, '.', '-' or '_'");
        assertThatThrownBy(() -> m.flags().set(TenantId.of("ghost"), "beta", true))
                .isInstanceOf(UnknownTenantException.class);
        assertThat(m.flags().list(ACME)).as("a refused switch stores nothing").containsExactly(Map.entry("beta", true));
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void boundJobsWaitHoldingWhileTheFlagIsOffAndRunWhenItIsSwitchedOn(Db db) {
        Millrace m = client(db).start();
        JobId held = m.enqueue(ACME, new Gated("held"));
        JobId free = m.enqueue(ACME, new TestJobs.Record("unbound"));
        assertThat(awaitTerminal(m, ACME, free).status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(m.jobs().find(ACME, held).orElseThrow().status()).isEqualTo(JobStatus.HOLDING);
        assertThat(RAN).isEmpty();

        assertThat(m.flags().set(ACME, FLAG, true)).isEqualTo(1);
        assertThat(awaitTerminal(m, ACME, held).status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(RAN).containsExactly("held");
        // With the flag on, new jobs run at once.
        assertThat(awaitTerminal(m, ACME, m.enqueue(ACME, new Gated("on"))).status()).isEqualTo(JobStatus.COMPLETED);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void switchingOffHoldsReadyJobsAndSwitchingOnReleasesThemOnlyForThatTenant(Db db) {
        Millrace m = client(db);
        m.flags().set(ACME, FLAG, true);
        m.flags().set(OTHER, FLAG, true);
        JobId a = m.enqueue(ACME, new Gated("a"));
        JobId o = m.enqueue(OTHER, new Gated("o"));
        JobId r = m.enqueue(ACME, new TestJobs.Record("r"));
        assertThat(m.jobs().find(ACME, a).orElseThrow().status()).isEqualTo(JobStatus.QUEUED);

        assertThat(m.flags().set(ACME, FLAG, false)).isEqualTo(1);
        assertThat(m.jobs().find(ACME, a).orElseThrow().status()).isEqualTo(JobStatus.HOLDING);
        assertThat(m.jobs().find(ACME, r).orElseThrow().status()).as("unbound class").isEqualTo(JobStatus.QUEUED);
        assertThat(m.jobs().find(OTHER, o).orElseThrow().status()).as("other tenant").isEqualTo(JobStatus.QUEUED);
        assertThat(m.runReadyJobs(ACME, 10)).as("a held job is not claimed").isEqualTo(1);
        assertThat(RAN).isEmpty();

        assertThat(m.flags().set(ACME, FLAG, true)).isEqualTo(1);
        assertThat(m.jobs().find(ACME, a).orElseThrow().status()).isEqualTo(JobStatus.QUEUED);
        assertThat(m.runReadyJobs(ACME, 10)).isEqualTo(1);
        assertThat(RAN).containsExactly("a");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aHeldJobCanBeAborted(Db db) {
        Millrace m = client(db);
        JobId held = m.enqueue(ACME, new Gated("held"));
        m.jobs().abort(ACME, held);
        assertThat(m.jobs().find(ACME, held).orElseThrow().status()).isEqualTo(JobStatus.ABORTED);
        assertThat(m.flags().set(ACME, FLAG, true)).as("nothing left to release").isZero();
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void racingSwitchesAndEnqueuesOnARunningNodeNeitherRunHeldJobsNorStrandThem(Db db) throws Exception {
        Millrace m = client(db).start();
        List<JobId> ids = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread enqueuer = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < 200; i++) ids.add(m.enqueue(ACME, new Gated("g" + i)));
        });
        for (int i = 0; i < 20 && enqueuer.isAlive(); i++) m.flags().set(ACME, FLAG, i % 2 == 0);
        enqueuer.join();
        m.flags().set(ACME, FLAG, false);
        // Off: nothing of the bound class is left ready; what was claimed before the switch finishes.
        await().atMost(Duration.ofSeconds(30)).until(() -> m.jobs().countByStatus(JobQuery.forTenant(ACME).build())
                .getOrDefault(JobStatus.PROCESSING, 0L) == 0);
        Map<JobStatus, Long> off = m.jobs().countByStatus(JobQuery.forTenant(ACME).build());
        assertThat(off.getOrDefault(JobStatus.QUEUED, 0L)).isZero();
        assertThat(off.getOrDefault(JobStatus.HOLDING, 0L) + off.getOrDefault(JobStatus.COMPLETED, 0L)).isEqualTo(200);
        int ranWhileOff = RAN.size();

        m.flags().set(ACME, FLAG, true);
        for (JobId id : ids) assertThat(awaitTerminal(m, ACME, id).status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(RAN).hasSize(200);
        assertThat(ranWhileOff).isLessThanOrEqualTo(200);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aJobReadsAStableFlagValueForItsWholeExecution(Db db) {
        Millrace m = client(db).start();
        JobId id = m.enqueue(ACME, new ReadsFlag());
        assertThat(awaitTerminal(m, ACME, id).status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(SEEN).containsEntry("before", false).containsEntry("after", false);
        assertThat(m.flags().isEnabled(ACME, "beta")).as("the switch itself took effect").isTrue();
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aSwitchOnOneNodeIsSeenByAnotherWithinItsCacheTime(Db db) {
        Millrace a = client(db);
        Millrace b = node(bound(db).flagCacheTime(Duration.ofMillis(300)));
        assertThat(b.flags().isEnabled(ACME, "beta")).isFalse();
        a.flags().set(ACME, "beta", true);
        await().atMost(Duration.ofSeconds(5)).until(() -> b.flags().isEnabled(ACME, "beta"));
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void heldJobsAreReleasedToARunningNodeByASwitchOnAnotherNode(Db db) {
        Millrace runner = node(bound(db)).start();
        Millrace admin = client(db);
        JobId held = admin.enqueue(ACME, new Gated("elsewhere"));
        awaitStatus(admin, ACME, held, JobStatus.HOLDING);
        admin.flags().set(ACME, FLAG, true);
        assertThat(awaitTerminal(runner, ACME, held).status()).isEqualTo(JobStatus.COMPLETED);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aChangeIsAuditedWithWhoWhenOldAndNewValueNewestFirst(Db db) {
        MutableClock clock = new MutableClock(Instant.parse("2026-03-01T09:15:00Z"));
        Millrace m = node(bound(db).clock(clock));
        tenants(m, ACME, OTHER);
        m.flags().set(ACME, "beta", true, "alice");
        clock.advance(Duration.ofMinutes(5));
        m.flags().set(ACME, "beta", false);
        assertThat(m.flags().history(ACME, "beta")).containsExactly(
                new FlagChange(ACME, "beta", true, false, FeatureFlags.DEFAULT_CHANGED_BY,
                        Instant.parse("2026-03-01T09:20:00Z")),
                new FlagChange(ACME, "beta", null, true, "alice", Instant.parse("2026-03-01T09:15:00Z")));
        assertThat(m.flags().history(OTHER, "beta")).as("audits are per tenant").isEmpty();
        assertThat(m.flags().history(ACME, "never")).isEmpty();
        assertThatThrownBy(() -> m.flags().history(ACME, "no spaces")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("flag name 'no spaces' is invalid");
        assertThatThrownBy(() -> m.flags().history(TenantId.of("ghost"), "beta"))
                .isInstanceOf(UnknownTenantException.class);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void settingTheValueAFlagAlreadyHasWritesNoAuditRow(Db db) {
        Millrace m = client(db);
        m.flags().set(ACME, "beta", true, "alice");
        m.flags().set(ACME, "beta", true, "bob");
        assertThat(m.flags().history(ACME, "beta")).extracting(FlagChange::changedBy).containsExactly("alice");
        // A bound flag's row created off by an enqueue has a stored value: switching it off again changes nothing.
        m.enqueue(ACME, new Gated("g"));
        m.flags().set(ACME, FLAG, false, "carol");
        assertThat(m.flags().history(ACME, FLAG)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aBadChangedByIsRefusedAndNothingIsStored(Db db) {
        Millrace m = client(db);
        JobId held = m.enqueue(ACME, new Gated("held"));
        for (String bad : new String[]{null, "", "   "}) {
            assertThatThrownBy(() -> m.flags().set(ACME, FLAG, true, bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("changedBy '" + bad + "' is invalid: expected 1 to 200 characters, not blank");
        }
        assertThatThrownBy(() -> m.flags().set(ACME, FLAG, true, "x".repeat(201)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("changedBy is 201 characters long: expected 1 to 200 characters, not blank");
        assertThat(m.flags().isEnabled(ACME, FLAG)).isFalse();
        assertThat(m.flags().history(ACME, FLAG)).isEmpty();
        assertThat(m.jobs().find(ACME, held).orElseThrow().status()).as("no job moved").isEqualTo(JobStatus.HOLDING);
        m.flags().set(ACME, FLAG, true, "x".repeat(200));
        assertThat(m.flags().history(ACME, FLAG)).hasSize(1);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aSubscriberReceivesFlagChangeEventsOfItsTenantOnly(Db db) {
        Millrace m = node(bound(db).registerHandler(FlagWatcher.class));
        MILLRACE.set(m);
        tenants(m, ACME, OTHER);
        m.events().subscribe(ACME, Subscription.of("flags", Events.FLAG_CHANGE_CHANNEL, FlagWatcher.class));
        m.start();
        m.flags().set(OTHER, "beta", true, "mallory");
        m.flags().set(ACME, "beta", true, "alice");
        m.flags().set(ACME, "beta", true, "alice");
        m.flags().set(ACME, "beta", false, "bob");
        await().atMost(Duration.ofSeconds(30)).until(() -> FlagWatcher.CHANGES.size() >= 2);
        assertThat(FlagWatcher.CHANGES).containsExactly("acme beta null->true by alice",
                "acme beta true->false by bob");
    }
}
