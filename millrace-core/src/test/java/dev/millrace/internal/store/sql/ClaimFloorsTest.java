package dev.millrace.internal.store.sql;

import dev.millrace.JobType;
import dev.millrace.TenantId;
import dev.millrace.internal.store.ClaimedJob;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** When a tenant's claims start past its floor, and when they read from the start again. */
class ClaimFloorsTest {
    static final TenantId A = TenantId.of("a");
    private final Instant t0 = Instant.parse("2026-11-25T10:00:00Z");
    private final Instant now = t0.plusSeconds(60);
    private final AtomicLong nanos = new AtomicLong();
    private final ClaimFloors floors = new ClaimFloors(nanos::get);

    private ClaimedJob job(Instant runAt) {
        return new ClaimedJob(UUID.randomUUID(), A, JobType.QUEUEABLE, "x.Job", null, "{}", null, 1, null, 1, runAt, runAt,
                null, 0, now);
    }

    /** A full read that took jobs up to {@code last}, with more left. */
    private ClaimedJob fullRead(Instant at) {
        ClaimedJob last = job(t0.plusSeconds(1));
        floors.claimed(A, null, List.of(job(t0), last), true, false, at);
        return last;
    }

    @Test
    void aClaimStartsPastTheLastJobClaimedButNeverLaterThanASecondBeforeItsClock() {
        ClaimedJob last = fullRead(now);
        assertThat(floors.start(A, now)).isEqualTo(new ClaimFloors.Position(last.runAt(), last.id()));

        ClaimedJob recent = job(now.minusMillis(200));
        floors.claimed(A, floors.start(A, now), List.of(recent), true, false, now);
        assertThat(floors.start(A, now)).as("capped a second before the claim's clock")
                .isEqualTo(new ClaimFloors.Position(now.minus(ClaimFloors.MARGIN), ClaimFloors.LOWEST_ID));
    }

    @Test
    void aShortOrExcludingClaimDropsTheFloor() {
        fullRead(now);
        floors.claimed(A, floors.start(A, now), List.of(job(t0.plusSeconds(2))), false, false, now);
        assertThat(floors.start(A, now)).as("fewer than asked for").isNull();

        fullRead(now);
        floors.claimed(A, floors.start(A, now), List.of(job(t0.plusSeconds(2))), true, true, now);
        assertThat(floors.start(A, now)).as("job types left out").isNull();
    }

    @Test
    void aFullReadIsDueASecondLaterByTheClaimsClock() {
        fullRead(now);
        assertThat(floors.start(A, now.plusMillis(999))).isNotNull();
        assertThat(floors.start(A, now.plusSeconds(1))).isNull();
    }

    @Test
    void aFullReadIsDueAfterASecondOfRealTimeThoughTheClaimsClockStandsStill() {
        fullRead(now);
        nanos.addAndGet(Duration.ofMillis(999).toNanos());
        assertThat(floors.start(A, now)).isNotNull();
        nanos.addAndGet(Duration.ofMillis(1).toNanos());
        assertThat(floors.start(A, now)).isNull();
    }

    @Test
    void aFullReadIsDueAtOnceWhenTheClaimsClockStepsBack() {
        fullRead(now);
        assertThat(floors.start(A, now.minusMillis(1))).isNull();
    }

    @Test
    void onlyAReadFromTheStartRestartsTheFullReadCadence() {
        fullRead(now);
        ClaimFloors.Position from = floors.start(A, now);
        floors.reset(A);
        // A claim that started from the floor before it was dropped: it read nothing behind it, so no floor comes back.
        floors.claimed(A, from, List.of(job(t0.plusSeconds(2))), true, false, now.plusMillis(500));
        assertThat(floors.start(A, now.plusMillis(500))).isNull();

        fullRead(now);
        floors.claimed(A, floors.start(A, now.plusMillis(500)), List.of(job(t0.plusSeconds(2))), true, false,
                now.plusMillis(500));
        assertThat(floors.start(A, now.plusSeconds(1))).as("due a second after the read from the start").isNull();
    }
}
