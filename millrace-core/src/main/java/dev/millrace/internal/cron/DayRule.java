package dev.millrace.internal.cron;

import java.time.LocalDate;
import java.time.YearMonth;

/**
 * Which days of a month a cron expression fires on: the day-of-month or the day-of-week field, whichever is not
 * {@code ?}. Each rule answers with a bit mask of the month's matching days (bit {@code d} set = day {@code d}).
 */
sealed interface DayRule {

    /** The matching days of the month, bit {@code d} for day {@code d}, 1 to the month's length. */
    long days(int year, int month);

    /** Day numbers 1–31 ({@code 1,15}, {@code 1-10}, {@code 1/5}, {@code *}); a day past the month's end never matches. */
    record DaysOfMonth(long mask) implements DayRule {
        @Override
        public long days(int year, int month) {
            return mask & upTo(length(year, month));
        }
    }

    /** {@code L} (offset 0) or {@code L-n}: the last day of the month, or n days before it. */
    record LastDayOfMonth(int offset) implements DayRule {
        @Override
        public long days(int year, int month) {
            int day = length(year, month) - offset;
            return day >= 1 ? 1L << day : 0;
        }
    }

    /** {@code LW}: the last Monday–Friday of the month. */
    record LastWeekdayOfMonth() implements DayRule {
        @Override
        public long days(int year, int month) {
            int day = length(year, month);
            int dow = weekday(year, month, day);
            if (dow == 7) day -= 1;          // Saturday: Friday before
            else if (dow == 1) day -= 2;     // Sunday: Friday before
            return 1L << day;
        }
    }

    /**
     * {@code nW}: the Monday–Friday nearest to day n, never crossing the month's boundary; nothing in a month
     * without day n.
     */
    record NearestWeekday(int day) implements DayRule {
        @Override
        public long days(int year, int month) {
            int length = length(year, month);
            if (day > length) return 0;
            int dow = weekday(year, month, day);
            int d = day;
            if (dow == 7) d = day > 1 ? day - 1 : day + 2;              // Saturday: Friday, or Monday the 3rd
            else if (dow == 1) d = day < length ? day + 1 : day - 2;    // Sunday: Monday, or Friday before the end
            return 1L << d;
        }
    }

    /** Weekdays 1–7 (1 = Sunday) as a mask, bit {@code w} for weekday {@code w}. */
    record DaysOfWeek(int mask) implements DayRule {
        @Override
        public long days(int year, int month) {
            int length = length(year, month);
            int dow = weekday(year, month, 1);
            long days = 0;
            for (int d = 1; d <= length; d++) {
                if ((mask & (1 << dow)) != 0) days |= 1L << d;
                dow = dow == 7 ? 1 : dow + 1;
            }
            return days;
        }
    }

    /** {@code wL}: the last weekday w (1 = Sunday) of the month. */
    record LastDayOfWeek(int dayOfWeek) implements DayRule {
        @Override
        public long days(int year, int month) {
            int length = length(year, month);
            int back = (weekday(year, month, length) - dayOfWeek + 7) % 7;
            return 1L << (length - back);
        }
    }

    /** {@code w#n}: the n-th (1–5) weekday w (1 = Sunday) of the month; nothing in a month without one. */
    record NthDayOfWeek(int dayOfWeek, int nth) implements DayRule {
        @Override
        public long days(int year, int month) {
            int first = 1 + (dayOfWeek - weekday(year, month, 1) + 7) % 7;
            int day = first + 7 * (nth - 1);
            return day <= length(year, month) ? 1L << day : 0;
        }
    }

    private static int length(int year, int month) {
        return YearMonth.of(year, month).lengthOfMonth();
    }

    /** Bits 1 to {@code length}. */
    private static long upTo(int length) {
        return ((1L << (length + 1)) - 1) & ~1L;
    }

    /** The cron weekday (1 = Sunday … 7 = Saturday) of a date. */
    static int weekday(int year, int month, int day) {
        return LocalDate.of(year, month, day).getDayOfWeek().getValue() % 7 + 1;
    }
}
