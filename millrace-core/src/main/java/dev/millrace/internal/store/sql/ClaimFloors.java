package dev.millrace.internal.store.sql;

import dev.millrace.TenantId;
import dev.millrace.internal.store.ClaimedJob;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Where each tenant's next claim on this node starts reading its ready jobs (PostgreSQL): just past the last job this
 * node claimed for it, instead of at the start of the tenant's ready range.
 *
 * <p>Why: a claim moves its rows out of the ready part of the live index, and the index entries they leave there
 * stay until a vacuum. A claim that starts at the front walks every one of them (seen: 1,089 buffers and 2.5 ms for
 * one claim of 64 jobs behind 272,000 dead entries, against 137 and 0.17 ms after a vacuum), so a deep backlog slowed
 * its own drain. Started from the floor, a claim reads the same few pages however many jobs went before.
 *
 * <p>The floor is only a hint, never a rule about which jobs exist: a job can become ready behind it (an enqueue that
 * committed after later jobs were claimed, a job released or rescued with its old run time, another node's clock
 * running behind, a claimer that rolled back). So:
 * <ul>
 *   <li>the floor never goes above {@link #MARGIN} before the claim's {@code now}, so jobs committed within that
 *       time of their run time are always seen;</li>
 *   <li>a claim that got fewer jobs than it asked for, or that left job types out, drops the floor: the tenant's
 *       next claim reads from the start and finds anything left behind; one that found nothing at all past its floor
 *       reads again from the start at once ({@link SqlJobStore});</li>
 *   <li>a release, a rescue or a flag switched on by this node drops the floors of the tenants whose jobs it moved
 *       back, once it committed;</li>
 *   <li>at least every {@link #FULL_READ} a tenant's claim reads from the start anyway: a second by the claims' clock
 *       or by elapsed real time, whichever comes first, so that a clock that stands still (a test's) or steps back
 *       (a correction) does not put it off.</li>
 * </ul>
 * A job left behind the floor therefore waits at most {@link #FULL_READ} longer than it would have. Floors are this
 * node's own: another node's claims do not move them, which costs that node's dead entries, as before.
 */
final class ClaimFloors {
    /** How far behind the claim's clock a floor may be at most: commits later than this go to the full reads. */
    static final Duration MARGIN = Duration.ofSeconds(1);
    /** The longest a tenant's claims go without reading from the start. */
    static final Duration FULL_READ = Duration.ofSeconds(1);
    /** Below every job id as PostgreSQL orders uuids: a floor of a run time alone. */
    static final UUID LOWEST_ID = new UUID(0, 0);

    /** A position in a tenant's ready jobs, in claim order: a claim starts after it. */
    record Position(Instant runAt, UUID id) {
    }

    /** A tenant's floor and when its claims last read from the start, by the claims' clock and in real time. */
    private record Floor(Position after, Instant fullReadAt, long fullReadNanos) {
    }

    private final ConcurrentHashMap<TenantId, Floor> floors = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;

    ClaimFloors() {
        this(System::nanoTime);
    }

    /** With {@code nanoTime} as the source of elapsed real time (tests). */
    ClaimFloors(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /** Where a claim of this tenant at {@code now} starts (after), or null to read from the start. */
    Position start(TenantId tenant, Instant now) {
        Floor f = floors.get(tenant);
        if (f == null || fullReadDue(f, now)) return null;
        Instant newest = now.minus(MARGIN);
        return f.after.runAt.isAfter(newest) ? new Position(newest, LOWEST_ID) : f.after;
    }

    private boolean fullReadDue(Floor f, Instant now) {
        return now.isBefore(f.fullReadAt) || !now.isBefore(f.fullReadAt.plus(FULL_READ))
                || nanoTime.getAsLong() - f.fullReadNanos >= FULL_READ.toNanos();
    }

    /**
     * Records a tenant's part of a claim.
     *
     * @param from where it started ({@link #start}), null from the start
     * @param taken the tenant's jobs it claimed, oldest first
     * @param more whether the tenant may have more ready jobs beyond them (the claim stopped at a limit)
     * @param excluding whether the claim left some of the tenant's job types out
     * @param now the claim's clock
     */
    void claimed(TenantId tenant, Position from, List<ClaimedJob> taken, boolean more, boolean excluding, Instant now) {
        if (!more || excluding) {
            floors.remove(tenant);
            return;
        }
        if (taken.isEmpty()) return;
        ClaimedJob last = taken.get(taken.size() - 1);
        Position after = new Position(last.runAt(), last.id());
        if (from == null) {
            floors.put(tenant, new Floor(after, now, nanoTime.getAsLong()));
            return;
        }
        // Only a read from the start restarts the full-read cadence: a claim that started from a floor dropped meanwhile
        // (a release, a short claim elsewhere) leaves the tenant without one, and its next claim reads from the start.
        floors.computeIfPresent(tenant, (t, f) -> new Floor(after, f.fullReadAt, f.fullReadNanos));
    }

    /** Forgets a tenant's floor: its next claim reads from the start (a job of it became ready behind the floor). */
    void reset(TenantId tenant) {
        floors.remove(tenant);
    }
}
