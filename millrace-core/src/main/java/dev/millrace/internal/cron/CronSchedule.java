package dev.millrace.internal.cron;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;

/**
 * A parsed cron expression: one bit set per field plus the day rule. Finds fire times field by field (year, month,
 * day, hour, minute, second), so the next fire time costs a handful of steps however far away it is.
 * Made by {@link CronParser#parse(String)}.
 */
public final class CronSchedule {
    /** Without a year field, a search stops after this many years (the Gregorian calendar repeats every 400). */
    private static final int OPEN_YEARS = 401;

    private final long seconds;
    private final long minutes;
    private final int hours;
    private final int months;
    /** Allowed years as offsets from 1970, or null when the year field is absent or {@code *}. */
    private final BitSet years;
    private final DayRule days;
    private final boolean salesforceCompatible;

    CronSchedule(long seconds, long minutes, int hours, int months, BitSet years, DayRule days,
                 boolean salesforceCompatible) {
        this.seconds = seconds;
        this.minutes = minutes;
        this.hours = hours;
        this.months = months;
        this.years = years;
        this.days = days;
        this.salesforceCompatible = salesforceCompatible;
    }

    /** True when seconds and minutes are each a single integer, as Salesforce requires (SPEC SCH-6). */
    public boolean isSalesforceCompatible() {
        return salesforceCompatible;
    }

    /**
     * The shortest time between two consecutive fire times the time fields allow (seconds, minutes, hours), wall-clock
     * time without daylight-saving changes: the smallest gap between two fire times of one day, or from the day's last
     * to the next day's first when that is smaller (taken as possible whatever the day fields say). An expression with
     * one time a day gives a day.
     */
    public long shortestIntervalSeconds() {
        long shortest = Long.MAX_VALUE;
        int first = -1;
        int last = -1;
        for (int h = 0; h < 24; h++) {
            if ((hours & (1 << h)) == 0) continue;
            for (int m = 0; m < 60; m++) {
                if ((minutes & (1L << m)) == 0) continue;
                for (int sec = 0; sec < 60; sec++) {
                    if ((seconds & (1L << sec)) == 0) continue;
                    int t = h * 3600 + m * 60 + sec;
                    if (last >= 0) shortest = Math.min(shortest, t - last);
                    if (first < 0) first = t;
                    last = t;
                }
            }
        }
        return Math.min(shortest, 86_400L - last + first);
    }

    /**
     * The first fire time strictly after {@code after} in {@code zone}. Local times are matched in the zone; a
     * local time skipped by a daylight-saving gap fires at the first instant after the gap, and a local time that
     * occurs twice in an overlap fires only at its first occurrence (SPEC SCH-7).
     */
    public Optional<ZonedDateTime> nextFireTime(ZoneId zone, Instant after) {
        ZoneRules rules = zone.getRules();
        LocalDateTime local = LocalDateTime.ofInstant(after, zone);
        LocalDateTime start = local.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
        ZoneOffsetTransition transition = rules.getTransition(local);
        if (transition != null && transition.isOverlap() && rules.getOffset(after).equals(transition.getOffsetAfter())) {
            // 'after' lies in the repeated hour's second pass, whose local times have already fired: resume after it.
            if (transition.getDateTimeBefore().isAfter(start)) start = transition.getDateTimeBefore();
        }
        while (true) {
            Optional<LocalDateTime> match = nextMatch(start);
            if (match.isEmpty()) return Optional.empty();
            Instant fire = instant(rules, match.get());
            if (fire.isAfter(after)) return Optional.of(fire.atZone(zone));
            start = match.get().plusSeconds(1);    // not reached by the rules above; kept as a guard
        }
    }

    /** The instant a local fire time stands for: the earlier one in an overlap, the gap's end in a gap. */
    private static Instant instant(ZoneRules rules, LocalDateTime local) {
        List<ZoneOffset> offsets = rules.getValidOffsets(local);
        if (offsets.size() == 1) return local.toInstant(offsets.get(0));
        if (offsets.isEmpty()) return rules.getTransition(local).getInstant();
        Instant a = local.toInstant(offsets.get(0));
        Instant b = local.toInstant(offsets.get(1));
        return a.isBefore(b) ? a : b;
    }

    /** The first local date-time at or after {@code from} (whole seconds) that every field matches. */
    Optional<LocalDateTime> nextMatch(LocalDateTime from) {
        int year = from.getYear();
        int month = from.getMonthValue();
        int day = from.getDayOfMonth();
        int hour = from.getHour();
        int minute = from.getMinute();
        int second = from.getSecond();
        int lastYear = years == null ? year + OPEN_YEARS : Math.min(CronField.YEAR.max, year + OPEN_YEARS);
        while (true) {
            if (year > lastYear) return Optional.empty();
            if (years != null) {
                int y = year < CronField.YEAR.min ? years.nextSetBit(0) : years.nextSetBit(year - CronField.YEAR.min);
                if (y < 0) return Optional.empty();
                y += CronField.YEAR.min;
                if (y != year) {
                    year = y;
                    month = 1; day = 1; hour = 0; minute = 0; second = 0;
                    continue;
                }
            }
            int m = next(months, month);
            if (m < 0) {
                year++;
                month = 1; day = 1; hour = 0; minute = 0; second = 0;
                continue;
            }
            if (m != month) {
                month = m;
                day = 1; hour = 0; minute = 0; second = 0;
            }
            int d = next(days.days(year, month), day);
            if (d < 0) {
                month++;
                day = 1; hour = 0; minute = 0; second = 0;
                continue;
            }
            if (d != day) {
                day = d;
                hour = 0; minute = 0; second = 0;
            }
            int h = next(hours, hour);
            if (h < 0) {
                day++;
                hour = 0; minute = 0; second = 0;
                continue;
            }
            if (h != hour) {
                hour = h;
                minute = 0; second = 0;
            }
            int mi = next(minutes, minute);
            if (mi < 0) {
                hour++;
                minute = 0; second = 0;
                continue;
            }
            if (mi != minute) {
                minute = mi;
                second = 0;
            }
            int s = next(seconds, second);
            if (s < 0) {
                minute++;
                second = 0;
                continue;
            }
            return Optional.of(LocalDateTime.of(year, month, day, hour, minute, s));
        }
    }

    /** The lowest set bit at or above {@code from}, or -1. */
    private static int next(long mask, int from) {
        if (from >= 64) return -1;
        long rest = mask & (-1L << from);
        return rest == 0 ? -1 : Long.numberOfTrailingZeros(rest);
    }
}
