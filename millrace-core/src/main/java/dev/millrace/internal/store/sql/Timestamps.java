package dev.millrace.internal.store.sql;

import java.time.Instant;
import java.time.LocalDate;

/** PostgreSQL's text form of a timestamptz, written without a formatter: the enqueue path binds two per job. */
final class Timestamps {
    private static final long MICROS_PER_DAY = 86_400_000_000L;

    private Timestamps() {
    }

    /**
     * {@code t} as {@code yyyy-mm-dd hh:mm:ss.ffffff+00}, rounded to the microsecond as PostgreSQL stores it (half
     * up, as the driver does), or null when its year is outside 1 to 9999 (the caller binds it another way).
     */
    static String text(Instant t) {
        if (t.getEpochSecond() < -62_135_596_800L || t.getEpochSecond() >= 253_402_300_799L) return null;
        long micros = t.getEpochSecond() * 1_000_000L + (t.getNano() + 500) / 1000;
        long day = Math.floorDiv(micros, MICROS_PER_DAY);
        long inDay = Math.floorMod(micros, MICROS_PER_DAY);
        LocalDate date = LocalDate.ofEpochDay(day);
        char[] c = new char[29];
        digits(c, 0, date.getYear(), 4);
        c[4] = '-';
        digits(c, 5, date.getMonthValue(), 2);
        c[7] = '-';
        digits(c, 8, date.getDayOfMonth(), 2);
        c[10] = ' ';
        long secs = inDay / 1_000_000L;
        digits(c, 11, (int) (secs / 3600), 2);
        c[13] = ':';
        digits(c, 14, (int) (secs / 60 % 60), 2);
        c[16] = ':';
        digits(c, 17, (int) (secs % 60), 2);
        c[19] = '.';
        digits(c, 20, (int) (inDay % 1_000_000L), 6);
        c[26] = '+';
        c[27] = '0';
        c[28] = '0';
        return new String(c);
    }

    private static void digits(char[] c, int at, int v, int width) {
        for (int k = at + width - 1; k >= at; k--) {
            c[k] = (char) ('0' + v % 10);
            v /= 10;
        }
    }
}
