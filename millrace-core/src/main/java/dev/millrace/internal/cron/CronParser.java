package dev.millrace.internal.cron;

import java.util.BitSet;
import java.util.Locale;
import java.util.Objects;

/**
 * Parses Salesforce's cron syntax (SPEC SCH-3 to SCH-6):
 * {@code Seconds Minutes Hours Day_of_month Month Day_of_week [Year]}. Every error is an
 * {@link IllegalArgumentException} of the form {@code field: 'value' problem in "expression"}, naming the field,
 * the offending text and what was expected.
 *
 * <p>Decisions where Salesforce's documentation is silent: ranges do not wrap around ({@code FRI-MON} is rejected;
 * write {@code SUN-MON,FRI-SAT}); {@code L}, {@code W}, {@code #} forms and {@code ?} must be their field's only value;
 * {@code nW} and day numbers past a month's end never fire in that month; names are three letters, any case.
 */
public final class CronParser {
    private static final String FORMAT = "Seconds Minutes Hours Day_of_month Month Day_of_week [Year]";

    private final String expression;

    private CronParser(String expression) {
        this.expression = expression;
    }

    /** Parses an expression, or throws {@link IllegalArgumentException} naming the field, value and what was expected. */
    public static CronSchedule parse(String expression) {
        Objects.requireNonNull(expression, "cron expression must not be null");
        return new CronParser(expression).parse();
    }

    private CronSchedule parse() {
        String trimmed = expression.strip();
        String[] parts = trimmed.isEmpty() ? new String[0] : trimmed.split("\\s+");
        if (parts.length < 6 || parts.length > 7) {
            throw new IllegalArgumentException("cron expression \"" + expression + "\" has " + parts.length
                    + (parts.length == 1 ? " field" : " fields") + "; expected 6 or 7: " + FORMAT);
        }
        long seconds = bits(CronField.SECONDS, parts[0]);
        long minutes = bits(CronField.MINUTES, parts[1]);
        long hours = bits(CronField.HOURS, parts[2]);
        DayRule dayOfMonth = dayOfMonth(parts[3]);
        long months = bits(CronField.MONTH, parts[4]);
        DayRule dayOfWeek = dayOfWeek(parts[5]);
        BitSet years = parts.length == 7 ? values(CronField.YEAR, parts[6]) : null;
        if (dayOfMonth == null && dayOfWeek == null) {
            throw new IllegalArgumentException("day-of-month and day-of-week: both are '?'; exactly one of them"
                    + " must be '?' in \"" + expression + "\"");
        }
        if (dayOfMonth != null && dayOfWeek != null) {
            throw new IllegalArgumentException("day-of-month and day-of-week: '" + parts[3] + "' and '" + parts[5]
                    + "' both name days; exactly one of them must be '?' in \"" + expression + "\"");
        }
        boolean salesforce = isInteger(parts[0]) && isInteger(parts[1]);
        return new CronSchedule(seconds, minutes, (int) hours, (int) months, years,
                dayOfMonth != null ? dayOfMonth : dayOfWeek, salesforce);
    }

    /** The day-of-month rule, or null for {@code ?}. */
    private DayRule dayOfMonth(String text) {
        CronField f = CronField.DAY_OF_MONTH;
        checkCharacters(f, text);
        if (questionMark(f, text)) return null;
        if (special(f, text)) {
            alone(f, text);
            String upper = text.toUpperCase(Locale.ROOT);
            if (upper.equals("L")) return new DayRule.LastDayOfMonth(0);
            if (upper.equals("LW")) return new DayRule.LastWeekdayOfMonth();
            if (upper.startsWith("L-")) {
                String offset = text.substring(2);
                if (!isInteger(offset)) fail(f, text, "offset is not a number: expected 1–30");
                int n = offset.length() > 4 ? Integer.MAX_VALUE : Integer.parseInt(offset);
                if (n < 1 || n > 30) fail(f, text, "offset out of range 1–30");
                return new DayRule.LastDayOfMonth(n);
            }
            if (upper.endsWith("W") && !upper.startsWith("L") && upper.length() > 1) {
                return new DayRule.NearestWeekday(value(f, text.substring(0, text.length() - 1)));
            }
            fail(f, text, "is not valid: expected " + f.expected() + ", L, L-n, LW or nW");
        }
        return new DayRule.DaysOfMonth(bits(f, text));
    }

    /** The day-of-week rule, or null for {@code ?}. */
    private DayRule dayOfWeek(String text) {
        CronField f = CronField.DAY_OF_WEEK;
        checkCharacters(f, text);
        if (questionMark(f, text)) return null;
        if (!special(f, text)) return new DayRule.DaysOfWeek((int) bits(f, text));
        alone(f, text);
        String upper = text.toUpperCase(Locale.ROOT);
        if (upper.contains("#")) {
            int hash = text.indexOf('#');
            if (hash == 0) fail(f, text, "has no weekday before #; expected " + f.expected());
            int day = value(f, text.substring(0, hash));
            String nth = text.substring(hash + 1);
            if (!isInteger(nth)) fail(f, "#" + nth, "is not a number: expected 1–5");
            if (nth.length() > 1 || Integer.parseInt(nth) < 1 || Integer.parseInt(nth) > 5) {
                fail(f, "#" + nth, "out of range 1–5");
            }
            return new DayRule.NthDayOfWeek(day, Integer.parseInt(nth));
        }
        if (upper.equals("L")) return new DayRule.DaysOfWeek(1 << 7);
        return new DayRule.LastDayOfWeek(value(f, text.substring(0, text.length() - 1)));
    }

    private boolean questionMark(CronField f, String text) {
        if (text.equals("?")) return true;
        if (text.contains("?")) fail(f, "?", "must be the field's only value");
        return false;
    }

    /** Whether any item of a day field is an {@code L}, {@code W} or {@code #} form. */
    private static boolean special(CronField f, String text) {
        for (String item : text.split(",", -1)) {
            if (specialItem(f, item)) return true;
        }
        return false;
    }

    private static boolean specialItem(CronField f, String item) {
        String upper = item.toUpperCase(Locale.ROOT);
        return f == CronField.DAY_OF_MONTH
                ? upper.startsWith("L") || upper.endsWith("W")
                : upper.contains("#") || upper.endsWith("L");
    }

    /** Rejects an {@code L}, {@code W} or {@code #} form that shares its field with other values. */
    private void alone(CronField f, String text) {
        if (!text.contains(",")) return;
        for (String item : text.split(",", -1)) {
            if (specialItem(f, item)) fail(f, item, "must be the field's only value");
        }
    }

    /** Rejects characters the field does not allow, before anything else is read. */
    private void checkCharacters(CronField f, String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean alphanumeric = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
            if (!alphanumeric && f.specials.indexOf(c) < 0) {
                fail(f, String.valueOf(c), "is not allowed; allowed special characters are " + f.specialsShown());
            }
        }
        if (f.specials.indexOf('L') < 0 || f.specials.indexOf('W') < 0) {
            for (String item : text.split(",", -1)) {
                String upper = item.toUpperCase(Locale.ROOT);
                boolean digitsThen = upper.length() > 1 && Character.isDigit(upper.charAt(0));
                if (f.specials.indexOf('L') < 0
                        && (upper.equals("L") || upper.equals("LW") || upper.startsWith("L-")
                            || (digitsThen && upper.endsWith("L")))) {
                    fail(f, "L", "is not allowed; allowed special characters are " + f.specialsShown());
                }
                if (f.specials.indexOf('W') < 0 && (upper.equals("LW") || (digitsThen && upper.endsWith("W")))) {
                    fail(f, "W", "is not allowed; allowed special characters are " + f.specialsShown());
                }
            }
        }
    }

    /** {@link #values} of a field whose values fit in a long: bit v for value v. */
    private long bits(CronField f, String text) {
        long[] words = values(f, text).toLongArray();
        return words.length == 0 ? 0 : words[0];
    }

    /** A list of values, ranges and steps, as a bit set: bit v for value v, but for years bit 0 = 1970. */
    private BitSet values(CronField f, String text) {
        checkCharacters(f, text);
        BitSet bits = new BitSet();
        for (String item : text.split(",", -1)) {
            if (item.isEmpty()) fail(f, text, "has an empty value; expected " + f.expected());
            int slash = item.indexOf('/');
            String range = slash < 0 ? item : item.substring(0, slash);
            int step = 1;
            if (slash >= 0) {
                String stepText = item.substring(slash + 1);
                if (!isInteger(stepText)) fail(f, "/" + stepText, "is not a number: expected a step 1–" + f.maxStep());
                step = stepText.length() > 4 ? Integer.MAX_VALUE : Integer.parseInt(stepText);
                if (step < 1 || step > f.maxStep()) fail(f, "/" + stepText, "out of range 1–" + f.maxStep());
            }
            int from;
            int to;
            if (range.equals("*")) {
                from = f.min;
                to = f.max;
            } else if (range.isEmpty()) {
                fail(f, item, "has no start value; expected " + f.expected() + " or * before /");
                return bits;
            } else {
                int dash = range.indexOf('-');
                if (dash == 0 || dash == range.length() - 1) {
                    fail(f, range, "is not a range: expected start-end, each " + f.expected());
                }
                if (dash < 0) {
                    from = value(f, range);
                    to = slash >= 0 ? f.max : from;
                } else {
                    from = value(f, range.substring(0, dash));
                    to = value(f, range.substring(dash + 1));
                    if (from > to) fail(f, range, "starts after it ends; ranges do not wrap around");
                }
            }
            for (int v = from; v <= to; v += step) {
                bits.set(f == CronField.YEAR ? v - f.min : v);
            }
        }
        return bits;
    }

    /** One value: a number in the field's range or, for month and day-of-week, a three-letter name. */
    private int value(CronField f, String text) {
        if (text.isEmpty()) fail(f, text, "is empty; expected " + f.expected());
        if (isInteger(text)) {
            int v = text.length() > 4 ? Integer.MAX_VALUE : Integer.parseInt(text);
            if (v < f.min || v > f.max) fail(f, text, "out of range " + f.expected());
            return v;
        }
        int index = f.names.indexOf(text.toUpperCase(Locale.ROOT));
        if (index < 0) fail(f, text, "is not a " + f.noun + ": expected " + f.expected());
        return f.min + index;
    }

    private static boolean isInteger(String text) {
        if (text.isEmpty()) return false;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') return false;
        }
        return true;
    }

    private void fail(CronField f, String value, String problem) {
        throw new IllegalArgumentException(f.label + ": '" + value + "' " + problem + " in \"" + expression + "\"");
    }
}
