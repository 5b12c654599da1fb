package dev.millrace.server.api;

import dev.millrace.Queueable;
import dev.millrace.server.http.Problem;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The queueable classes the REST API may enqueue, by name: the full class name always, and the simple name when
 * no other class has it. Only classes the node registered are listed, so whatever is enqueued can run.
 */
public final class JobTypes {
    private final Map<String, Class<? extends Queueable>> byName = new LinkedHashMap<>();
    private final Map<String, Class<? extends Queueable>> classes = new TreeMap<>();

    /** The types of these classes. */
    public JobTypes(List<Class<? extends Queueable>> types) {
        Map<String, Integer> simple = new LinkedHashMap<>();
        for (Class<? extends Queueable> c : types) simple.merge(c.getSimpleName(), 1, Integer::sum);
        for (Class<? extends Queueable> c : types) {
            classes.put(c.getName(), c);
            byName.put(c.getName(), c);
            if (simple.get(c.getSimpleName()) == 1) byName.putIfAbsent(c.getSimpleName(), c);
        }
    }

    /** The class of a name, or a problem listing the names there are. */
    public Class<? extends Queueable> resolve(String name) {
        Class<? extends Queueable> c = byName.get(name);
        if (c == null) {
            throw Problem.invalid("type", "registered", "job type '" + name + "' is not registered on this server:"
                    + " expected one of " + (classes.isEmpty() ? "(none: set jobs.classes)"
                    : String.join(", ", names())));
        }
        return c;
    }

    /** The short names where unique, else the full names, sorted. */
    public List<String> names() {
        List<String> out = new ArrayList<>();
        for (Class<? extends Queueable> c : classes.values()) {
            out.add(byName.get(c.getSimpleName()) == c ? c.getSimpleName() : c.getName());
        }
        Collections.sort(out);
        return out;
    }

    /** Every class, by full name. */
    public Map<String, Class<? extends Queueable>> classes() {
        return Collections.unmodifiableMap(classes);
    }
}
