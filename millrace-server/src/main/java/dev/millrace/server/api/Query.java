package dev.millrace.server.api;

import dev.millrace.server.http.Problem;
import io.javalin.http.Context;

import java.util.List;
import java.util.Set;

/** Strict reading of query parameters: unknown names, repeats and values out of range are 400 naming the parameter. */
final class Query {
    private Query() {
    }

    /** Refuses any parameter not named here. */
    static void only(Context ctx, String... allowed) {
        Set<String> ok = Set.of(allowed);
        for (String name : ctx.queryParamMap().keySet()) {
            if (!ok.contains(name)) {
                throw Problem.invalid(name, "unknown-parameter", "query parameter '" + name + "' is unknown: expected "
                        + (allowed.length == 0 ? "none" : "only " + String.join(", ", allowed)));
            }
        }
    }

    /** A parameter given at most once; null when absent or blank. */
    static String single(Context ctx, String name) {
        List<String> values = ctx.queryParams(name);
        if (values.isEmpty()) return null;
        if (values.size() > 1) {
            throw Problem.invalid(name, "single", "query parameter '" + name + "' is given " + values.size()
                    + " times: expected it once");
        }
        return values.get(0).isBlank() ? null : values.get(0);
    }

    /** A whole-number parameter in {@code [min, max]}, or {@code fallback} when absent. */
    static int integer(Context ctx, String name, int min, int max, int fallback) {
        String text = single(ctx, name);
        if (text == null) return fallback;
        long n;
        try {
            n = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw Problem.invalid(name, "type", name + " '" + (text.length() > 40 ? text.substring(0, 40) + "…" : text)
                    + "' is not a whole number: expected " + min + " to " + max);
        }
        if (n < min || n > max) {
            throw Problem.invalid(name, "range", name + " " + n + " is out of range: expected " + min + " to " + max);
        }
        return (int) n;
    }
}
