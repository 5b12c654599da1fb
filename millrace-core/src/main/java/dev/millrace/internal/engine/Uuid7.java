package dev.millrace.internal.engine;

import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Time-ordered ids (RFC 9562 version 7): the first 48 bits are milliseconds, so ids sort by creation and
 * keyset paging by id is paging by creation. A counter keeps ids from one node strictly increasing.
 */
final class Uuid7 {
    private static final SecureRandom SEEDS = new SecureRandom();
    /**
     * The random bits make ids of different nodes distinct; they need not be secret (an id grants nothing, every
     * lookup is scoped by tenant). A SecureRandom call per id cost more than the rest of the id, so each thread
     * draws from a generator seeded once from SecureRandom.
     */
    private static final ThreadLocal<SplittableRandom> RANDOM =
            ThreadLocal.withInitial(() -> new SplittableRandom(SEEDS.nextLong()));
    private final InstantSource clock;
    private final AtomicLong last = new AtomicLong();

    Uuid7(InstantSource clock) {
        this.clock = clock;
    }

    UUID next() {
        // 48 bits of milliseconds then 12 bits of sequence, kept strictly increasing per node.
        long millis = clock.millis() << 12;
        long stamp = last.updateAndGet(prev -> Math.max(prev + 1, millis));
        long msb = (stamp >>> 12) << 16 | 0x7000L | (stamp & 0xFFFL);
        long lsb = (RANDOM.get().nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb);
    }
}
