package dev.millrace.internal.store.sql;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.OffsetDateTime;

import static org.assertj.core.api.Assertions.assertThat;

/** The text form in which PostgreSQL is sent a job's times: the instant it stores, to the microsecond. */
class TimestampsTest {

    @Test
    void anInstantIsWrittenInUtcToTheMicrosecond() {
        assertThat(Timestamps.text(Instant.parse("2026-11-25T04:43:10.906898Z"))).isEqualTo("2026-11-25 04:43:10.906898+00");
        assertThat(Timestamps.text(Instant.parse("2024-02-29T00:00:00Z"))).isEqualTo("2024-02-29 00:00:00.000000+00");
        assertThat(Timestamps.text(Instant.parse("1969-12-31T23:59:59.5Z"))).isEqualTo("1969-12-31 23:59:59.500000+00");
    }

    @Test
    void nanosecondsRoundHalfUpToTheMicrosecondAsTheDriverDid() {
        assertThat(Timestamps.text(Instant.parse("2026-01-01T00:00:00.000000499Z"))).endsWith("00:00:00.000000+00");
        assertThat(Timestamps.text(Instant.parse("2026-01-01T00:00:00.000000500Z"))).endsWith("00:00:00.000001+00");
        assertThat(Timestamps.text(Instant.parse("2026-12-31T23:59:59.999999500Z"))).isEqualTo("2027-01-01 00:00:00.000000+00");
    }

    @Test
    void everyInstantReadsBackAsItself() {
        long seed = 42;
        for (int k = 0; k < 10_000; k++) {
            seed = seed * 6364136223846793005L + 1442695040888963407L;
            Instant t = Instant.ofEpochSecond(Math.floorMod(seed >>> 8, 253_402_300_000L - 62_135_596_800L) - 62_135_596_800L,
                    Math.floorMod(seed, 1_000_000L) * 1000);
            String text = Timestamps.text(t);
            if (text == null) continue;
            assertThat(OffsetDateTime.parse(text.replace(' ', 'T') + ":00").toInstant()).as(text).isEqualTo(t);
        }
    }

    @Test
    void yearsPostgresTextCannotHoldAreLeftToTheDriver() {
        assertThat(Timestamps.text(Instant.parse("+10000-01-01T00:00:00Z"))).isNull();
        assertThat(Timestamps.text(Instant.parse("9999-12-31T23:59:59.9999999Z"))).isNull();
        assertThat(Timestamps.text(Instant.parse("0000-12-31T23:59:59Z"))).isNull();
        assertThat(Timestamps.text(Instant.parse("0001-01-01T00:00:00Z"))).isEqualTo("0001-01-01 00:00:00.000000+00");
    }
}
