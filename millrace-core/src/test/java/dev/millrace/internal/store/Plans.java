package dev.millrace.internal.store;

import com.fasterxml.jackson.databind.JsonNode;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * Explains recorded statements on PostgreSQL and collects what a rule finds wrong in any node of their plans, each
 * statement planned for its values (a custom plan) and as PostgreSQL may plan it once for all values after a few
 * executions of the prepared statement (the generic plan).
 */
final class Plans {
    private Plans() {
    }

    /** Each finding of the rule (applied to every plan node) in either plan of each statement, naming the statement. */
    static List<String> findings(Connection c, List<Recorder.Sent> sent, Function<JsonNode, String> rule)
            throws SQLException {
        // A finding is reported once per statement and plan mode, however often the statement was sent.
        Set<String> found = new LinkedHashSet<>();
        try (Statement s = c.createStatement()) {
            for (String mode : List.of("force_custom_plan", "force_generic_plan")) {
                s.execute("SET plan_cache_mode = " + mode);
                for (Recorder.Sent statement : sent) {
                    if (!explainable(statement.sql())) continue;
                    String why = walk(statement.explain(c), rule);
                    if (why != null) found.add(why + " (" + mode + ") in: " + statement.sql());
                }
            }
            s.execute("RESET plan_cache_mode");
        }
        return new ArrayList<>(found);
    }

    /** A statement that can read rows: not DDL or session settings, not an insert of values alone. */
    private static boolean explainable(String sql) {
        String head = sql.stripLeading().toUpperCase(Locale.ROOT);
        if (head.startsWith("INSERT")) return head.contains("SELECT");
        return head.startsWith("SELECT") || head.startsWith("UPDATE") || head.startsWith("DELETE")
                || head.startsWith("WITH");
    }

    private static String walk(JsonNode plan, Function<JsonNode, String> rule) {
        String why = rule.apply(plan);
        for (JsonNode child : plan.path("Plans")) {
            String inner = walk(child, rule);
            if (why == null) why = inner;
        }
        return why;
    }

    /**
     * A nested loop whose join filter matches ids, or null: the inner side is read again in full for each outer row,
     * so the statement is quadratic in its rows (a completion of 1,000 jobs took 300 ms so, and a read of a batch's
     * next chunks up to 1.4 s) where the inner side should be reached by its key.
     */
    static String joinMatchingIds(JsonNode node) {
        if (node.path("Node Type").asText().equals("Nested Loop")
                && node.path("Join Filter").asText("").matches(".*\\b(?!tenant_id)(\\w+_)?id = .*")) {
            return "a join that rereads one side for each row of the other (" + node.path("Join Filter").asText() + ")";
        }
        return null;
    }
}
