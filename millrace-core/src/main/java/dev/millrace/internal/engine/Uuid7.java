package dev.millrace.internal.engine;

import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Time-ordered ids (RFC 9562 version 7): the first 48 bits are milliseconds, so ids sort by creation and
 * keyset paging by id is paging by creation. A counter keeps ids from one node strictly increasing.
 */
final class Uuid7 {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final InstantSource clock;
    private final AtomicLong last = new AtomicLong();

    Uuid7(InstantSource clock) {
        this.clock = clock;
    }

    UUID next() {
        // 48 bits of milliseconds then 12 bits of sequence, kept strictly increasing per node.
        long stamp = last.updateAndGet(prev -> Math.max(prev + 1, clock.millis() << 12));
        long msb = (stamp >>> 12) << 16 | 0x7000L | (stamp & 0xFFFL);
        long lsb = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb);
    }
}
