package dev.millrace.internal.cron;

import java.util.List;

/** The seven fields of a cron expression, in order, with their ranges, names and special characters (SPEC SCH-3). */
enum CronField {
    SECONDS("seconds", 0, 59, ",-*/", List.of(), "number"),
    MINUTES("minutes", 0, 59, ",-*/", List.of(), "number"),
    HOURS("hours", 0, 23, ",-*/", List.of(), "number"),
    DAY_OF_MONTH("day-of-month", 1, 31, ",-*?/LW", List.of(), "number"),
    MONTH("month", 1, 12, ",-*/",
            List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), "month"),
    DAY_OF_WEEK("day-of-week", 1, 7, ",-*?/L#", List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), "day"),
    YEAR("year", 1970, 2099, ",-*/", List.of(), "number");

    final String label;
    final int min;
    final int max;
    /** The special characters allowed, without separators: e.g. {@code ,-*?/LW}. */
    final String specials;
    /** Names of the values from {@code min} on, or empty when the field takes numbers only. */
    final List<String> names;
    /** What a value is called in errors: "number", "month", "day". */
    final String noun;

    CronField(String label, int min, int max, String specials, List<String> names, String noun) {
        this.label = label;
        this.min = min;
        this.max = max;
        this.specials = specials;
        this.names = names;
        this.noun = noun;
    }

    /** The allowed values as errors show them: {@code 0–59}, {@code 1–12 or JAN–DEC}. */
    String expected() {
        String range = min + "–" + max;
        return names.isEmpty() ? range : range + " or " + names.get(0) + "–" + names.get(names.size() - 1);
    }

    /** The allowed special characters as errors show them: {@code , - * /}. */
    String specialsShown() {
        return String.join(" ", specials.chars().mapToObj(c -> String.valueOf((char) c)).toList());
    }

    /** The largest step allowed after {@code /}: the field's maximum, or the year span. */
    int maxStep() {
        return this == YEAR ? max - min : max;
    }
}
