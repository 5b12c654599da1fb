package dev.millrace.internal;

import dev.millrace.TenantId;
import dev.millrace.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A node's per-tenant copies of a policy: reused for the cache time on the node's clock, read again after it. */
class PolicyCacheTest {
    static final TenantId ACME = TenantId.of("acme");
    static final TenantId GLOBEX = TenantId.of("globex");
    static final Duration TIME = Duration.ofSeconds(5);

    private final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
    /** The "store": what a read returns now, and every read made. */
    private final Map<TenantId, String> stored = new HashMap<>(Map.of(ACME, "acme-1", GLOBEX, "globex-1"));
    private final List<TenantId> reads = new CopyOnWriteArrayList<>();
    private final PolicyCache<String> cache = new PolicyCache<>(clock, TIME, t -> {
        reads.add(t);
        return stored.get(t);
    }, (t, p) -> {
        if (p.isBlank()) throw new IllegalArgumentException("blank policy for " + t);
        stored.put(t, p);
    });

    @Test
    void aCopyIsReusedWithinTheCacheTimeAndReadAgainWhenItEnds() {
        assertThat(cache.get(ACME)).isEqualTo("acme-1");
        stored.put(ACME, "acme-2"); // as if changed on another node
        clock.advance(TIME.minusMillis(1));
        assertThat(cache.get(ACME)).as("still within the cache time").isEqualTo("acme-1");
        assertThat(reads).containsExactly(ACME);

        clock.advance(Duration.ofMillis(1));
        assertThat(cache.get(ACME)).as("the cache time has ended").isEqualTo("acme-2");
        assertThat(reads).containsExactly(ACME, ACME);
        assertThat(cache.get(ACME)).isEqualTo("acme-2");
        assertThat(reads).as("the new copy is reused").hasSize(2);
    }

    @Test
    void aCopyLoadedAfterTheClockWentBackThereIsReadAgain() {
        assertThat(cache.get(ACME)).isEqualTo("acme-1");
        stored.put(ACME, "acme-2");
        clock.advance(Duration.ofHours(-1));
        assertThat(cache.get(ACME)).as("loaded in what is now the future").isEqualTo("acme-2");
        assertThat(reads).containsExactly(ACME, ACME);

        // The copy read after the clock went back counts from then.
        stored.put(ACME, "acme-3");
        clock.advance(TIME.minusMillis(1));
        assertThat(cache.get(ACME)).isEqualTo("acme-2");
        clock.advance(Duration.ofMillis(1));
        assertThat(cache.get(ACME)).isEqualTo("acme-3");
    }

    @Test
    void aPutIsSavedAndSeenHereAtOnceWhileOtherTenantsStayCached() {
        assertThat(cache.get(ACME)).isEqualTo("acme-1");
        assertThat(cache.get(GLOBEX)).isEqualTo("globex-1");
        stored.put(GLOBEX, "globex-2"); // as if changed on another node
        assertThat(cache.put(ACME, "acme-2")).isEqualTo("acme-2");

        assertThat(stored).containsEntry(ACME, "acme-2");
        assertThat(cache.get(ACME)).as("seen at once, within the cache time").isEqualTo("acme-2");
        assertThat(cache.get(GLOBEX)).isEqualTo("globex-1");
        assertThat(reads).containsExactly(ACME, GLOBEX, ACME);
    }

    @Test
    void aPutForATenantWithNoCopyIsSavedAndReadOnce() {
        cache.put(ACME, "acme-2");
        assertThat(cache.get(ACME)).isEqualTo("acme-2");
        assertThat(cache.get(ACME)).isEqualTo("acme-2");
        assertThat(reads).containsExactly(ACME);
    }

    @Test
    void aPutWhoseSaveFailsKeepsTheCopyOfWhatIsStillStored() {
        assertThat(cache.get(ACME)).isEqualTo("acme-1");
        assertThatThrownBy(() -> cache.put(ACME, " ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("acme");
        assertThat(cache.get(ACME)).isEqualTo("acme-1");
        assertThat(reads).containsExactly(ACME);
    }

    @Test
    void aNegativeCacheTimeIsRefused() {
        Duration bad = Duration.ofSeconds(-1);
        assertThatThrownBy(() -> new PolicyCache<String>(clock, bad, stored::get, stored::put))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(bad.toString()).hasMessageContaining("expected zero (no reuse) or a positive");
    }

    @Test
    void aCacheTimeOfZeroReadsTheStoreAtEveryGet() {
        PolicyCache<String> uncached = new PolicyCache<>(clock, Duration.ZERO, t -> {
            reads.add(t);
            return stored.get(t);
        });
        assertThat(uncached.get(ACME)).isEqualTo("acme-1");
        stored.put(ACME, "acme-2");
        assertThat(uncached.get(ACME)).as("at the same instant").isEqualTo("acme-2");
        assertThat(reads).containsExactly(ACME, ACME);
    }

    @Test
    void aChangeStoredByOtherMeansIsSeenAtOnceOnceForgotten() {
        PolicyCache<String> flags = new PolicyCache<>(clock, TIME, t -> {
            reads.add(t);
            return stored.get(t);
        });
        assertThat(flags.get(ACME)).isEqualTo("acme-1");
        assertThat(flags.get(GLOBEX)).isEqualTo("globex-1");
        stored.put(ACME, "acme-2");
        stored.put(GLOBEX, "globex-2");
        flags.forget(ACME);
        assertThat(flags.get(ACME)).isEqualTo("acme-2");
        assertThat(flags.get(GLOBEX)).as("another tenant's copy is kept").isEqualTo("globex-1");
        assertThatThrownBy(() -> flags.put(ACME, "acme-3")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("forget(acme)");
        assertThat(stored).containsEntry(ACME, "acme-2");
    }

    @Test
    void aLoaderThatReturnsNothingIsAnErrorNotACachedNull() {
        TenantId unknown = TenantId.of("unknown");
        assertThatThrownBy(() -> cache.get(unknown)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("unknown");
        stored.put(unknown, "found");
        assertThat(cache.get(unknown)).isEqualTo("found");
    }
}
