package dev.millrace.internal.engine;

import dev.millrace.SerializationException;
import dev.millrace.UnknownJobTypeException;
import dev.millrace.internal.store.ClaimedJob;
import dev.millrace.internal.store.FirePlanner;
import dev.millrace.internal.store.NewJob;
import dev.millrace.internal.store.ScheduleRow;
import dev.millrace.internal.store.ScheduleStore;
import dev.millrace.schedule.CronExpression;
import dev.millrace.schedule.MisfirePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Fires due schedules: every node runs one, and the store's claim makes exactly one node fire each occurrence.
 * A pass claims due rows in bulk and, in one transaction per batch, advances each to its next fire time and
 * inserts the SCHEDULED jobs of those that fire. Between passes it sleeps until the earliest next fire time
 * (at most the poll interval, so schedules created on other nodes are seen).
 *
 * <p>Occurrences are fired up to {@link #LOOKAHEAD} early, as jobs that become ready at the fire time, claimed
 * by this node in the same transaction and handed to its dispatcher, which starts them at the fire time from
 * memory: the insert and the claim are off the critical path. (The overlap check is therefore made up to the
 * lookahead before the fire time.) If this node dies before then, their lease expires and another node's
 * rescuer re-queues them. The next fire time is always the first one after both the occurrence fired and now, so a late
 * pass (a node that was down, or busy) fires once, never a burst of every missed occurrence.
 */
final class Scheduler extends LoopService {
    private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);
    /** Most schedules claimed in one transaction. */
    static final int BATCH = 1000;
    /** How early an occurrence is fired, as a job ready at the fire time. */
    static final Duration LOOKAHEAD = Duration.ofMillis(250);
    /** An occurrence later than this is a misfire: its schedule's misfire policy decides whether it fires. */
    static final Duration MISFIRE_THRESHOLD = Duration.ofMinutes(1);

    private final ScheduleStore store;
    private final Enqueuer enqueuer;
    private final JobCodec codec;
    private final Registry registry;
    private final InstantSource clock;
    private final Duration maxWait;
    private final Runnable onFired;
    private final ConcurrentHashMap<String, CronExpression> crons = new ConcurrentHashMap<>();

    private final String nodeId;
    private final Duration lease;
    private final Consumer<List<ClaimedJob>> handOff;

    /**
     * @param handOff takes the jobs this node fired and claimed in its own loop, to start them at their fire time
     * @param onFired called after a pass fired jobs left queued for any node (by {@link #runOnce})
     */
    Scheduler(ScheduleStore store, Enqueuer enqueuer, JobCodec codec, Registry registry, InstantSource clock,
              Duration maxWait, String nodeId, Duration lease, Consumer<List<ClaimedJob>> handOff, Runnable onFired) {
        super("millrace-scheduler");
        this.nodeId = nodeId;
        this.lease = lease;
        this.handOff = handOff;
        this.store = store;
        this.enqueuer = enqueuer;
        this.codec = codec;
        this.registry = registry;
        this.clock = clock;
        this.maxWait = maxWait;
        this.onFired = onFired;
    }

    @Override
    Duration tick() {
        int claimed = fire(LOOKAHEAD, true);
        if (claimed >= BATCH) return Duration.ZERO;
        Instant now = clock.instant();
        Optional<Instant> next = store.nextFireAt();
        if (next.isEmpty()) return maxWait;
        Duration until = Duration.between(now, next.get().minus(LOOKAHEAD));
        if (until.isNegative()) return Duration.ZERO;
        return until.compareTo(maxWait) < 0 ? until : maxWait;
    }

    /**
     * One pass: fires every schedule due by now plus {@code lookahead}, batch after batch.
     *
     * @return how many due schedules were claimed (fired, skipped or paused)
     */
    int runOnce(Duration lookahead) {
        return fire(lookahead, false);
    }

    /**
     * Fires what is due by now plus {@code lookahead}. In the node's own loop ({@code claim}) the jobs are claimed
     * for this node as they are fired and handed to its dispatcher to start at their fire time: the database work
     * happens in the lookahead, and at the fire time only a hand-off in memory remains.
     */
    private int fire(Duration lookahead, boolean claim) {
        int total = 0;
        int n;
        boolean queued = false;
        do {
            Instant now = clock.instant();
            long t0 = System.nanoTime();
            ScheduleStore.Fired fired = store.fireDue(now, now.plus(lookahead), BATCH,
                    claim ? new ScheduleStore.ClaimFor(nodeId, now.plus(lease)) : null, due -> plan(due, now));
            n = fired.advanced();
            total += n;
            if (!fired.claimed().isEmpty()) handOff.accept(fired.claimed());
            else if (n > 0) queued = true;
            if (n > 0 && LOG.isDebugEnabled()) {
                LOG.debug("fired {} schedules in {} ms", n, (System.nanoTime() - t0) / 1_000_000);
            }
        } while (n >= BATCH);
        if (queued) onFired.run();
        return total;
    }

    /** What one due occurrence does; see the class description. */
    FirePlanner.Decision plan(ScheduleRow due, Instant now) {
        CronExpression cron = cron(due.cron());
        ZoneId zone = ZoneId.of(due.zone());
        Instant occurrence = due.nextFireAt();
        Instant after = occurrence.isAfter(now) ? occurrence : now;
        Instant next = cron.nextFireTime(zone, after).map(ZonedDateTime::toInstant).orElse(null);
        // Occurrences between this one and now are passed over: counted as skipped, never fired in a burst.
        int missed = missedBetween(cron, zone, occurrence, now);
        boolean misfire = Duration.between(occurrence, now).compareTo(MISFIRE_THRESHOLD) > 0;
        if (misfire && due.misfirePolicy() == MisfirePolicy.SKIP) {
            LOG.info("schedule {} ({}) missed its fire time {}: skipped (misfire policy SKIP), next at {}", due.name(),
                    due.id(), occurrence, next);
            return new FirePlanner.Skip(next, missed + 1);
        }
        if (due.lastJobActive() && !due.allowOverlap()) {
            LOG.debug("schedule {} ({}): occurrence {} skipped, the job of the previous one ({}) is still active",
                    due.name(), due.id(), occurrence, due.lastJobId());
            return new FirePlanner.Skip(next, missed + 1);
        }
        String broken = unreadable(due);
        if (broken != null) {
            LOG.warn("schedule {} ({}) paused: {}", due.name(), due.id(), broken);
            return new FirePlanner.Pause(broken);
        }
        NewJob job = enqueuer.scheduled(due.tenant(), due.id(), due.className(), due.payload(), occurrence, now);
        return new FirePlanner.Fire(job, occurrence, next, missed);
    }

    /** The occurrences after {@code occurrence} up to {@code now} (counted up to {@link #MAX_COUNTED}). */
    static int missedBetween(CronExpression cron, ZoneId zone, Instant occurrence, Instant now) {
        int n = 0;
        Instant t = occurrence;
        while (n < MAX_COUNTED) {
            Optional<ZonedDateTime> next = cron.nextFireTime(zone, t);
            if (next.isEmpty() || next.get().toInstant().isAfter(now)) break;
            t = next.get().toInstant();
            n++;
        }
        return n;
    }

    /** The most missed occurrences one pass counts for a schedule (counting is a walk over the fire times). */
    static final int MAX_COUNTED = 100_000;

    /**
     * Why the schedulable's stored state can no longer be rebuilt by the class this node has (SPEC SCH-15), or null.
     * A class this node does not know is left to the nodes that do.
     */
    private String unreadable(ScheduleRow due) {
        Class<?> type;
        try {
            type = registry.jobClass(due.className());
        } catch (UnknownJobTypeException e) {
            return null;
        }
        try {
            codec.read(due.payload(), type, "schedulable");
            return null;
        } catch (SerializationException e) {
            return "at fire time " + due.nextFireAt() + ": " + e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    private CronExpression cron(String text) {
        if (crons.size() > 10_000) crons.clear();
        return crons.computeIfAbsent(text, CronExpression::parse);
    }
}
