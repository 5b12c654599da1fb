package dev.millrace.server.api;

import dev.millrace.batch.Batchable;
import dev.millrace.server.http.Problem;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The batch classes the REST API may submit and schedule, by name: the full class name always, and the simple name
 * when no other class has it (as {@link JobTypes} does for queueables). Only classes the node registered are listed,
 * so whatever is submitted can run.
 */
public final class BatchTypes {
    private final Map<String, Class<? extends Batchable<?>>> byName = new LinkedHashMap<>();
    private final Map<String, Class<? extends Batchable<?>>> classes = new TreeMap<>();

    /** The types of these classes. */
    public BatchTypes(List<Class<? extends Batchable<?>>> types) {
        Map<String, Integer> simple = new LinkedHashMap<>();
        for (Class<? extends Batchable<?>> c : types) simple.merge(c.getSimpleName(), 1, Integer::sum);
        for (Class<? extends Batchable<?>> c : types) {
            classes.put(c.getName(), c);
            byName.put(c.getName(), c);
            if (simple.get(c.getSimpleName()) == 1) byName.putIfAbsent(c.getSimpleName(), c);
        }
    }

    /** The class of a name, or a problem (field {@code type}) listing the names there are. */
    public Class<? extends Batchable<?>> resolve(String name) {
        Class<? extends Batchable<?>> c = byName.get(name);
        if (c == null) {
            String shown = name.length() > 200 ? name.substring(0, 200) + "…" : name;
            throw Problem.invalid("type", "registered", "batch type '" + shown + "' is not registered on this server:"
                    + " expected one of " + (classes.isEmpty() ? "(none: list Batchable classes in jobs.classes)"
                    : String.join(", ", names())));
        }
        return c;
    }

    /** The short names where unique, else the full names, sorted. */
    public List<String> names() {
        List<String> out = new ArrayList<>();
        for (Class<? extends Batchable<?>> c : classes.values()) {
            out.add(byName.get(c.getSimpleName()) == c ? c.getSimpleName() : c.getName());
        }
        Collections.sort(out);
        return out;
    }

    /** Every class, by full name. */
    public Map<String, Class<? extends Batchable<?>>> classes() {
        return Collections.unmodifiableMap(classes);
    }
}
