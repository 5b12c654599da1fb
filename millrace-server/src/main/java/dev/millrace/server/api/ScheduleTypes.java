package dev.millrace.server.api;

import dev.millrace.schedule.Schedulable;
import dev.millrace.server.http.Problem;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The schedulable classes the REST API may schedule, by name: the full class name always, and the simple name when
 * no other class has it (as {@link JobTypes} does for queueables). Only classes the node registered are listed.
 */
public final class ScheduleTypes {
    private final Map<String, Class<? extends Schedulable>> byName = new LinkedHashMap<>();
    private final Map<String, Class<? extends Schedulable>> classes = new TreeMap<>();

    /** The types of these classes. */
    public ScheduleTypes(List<Class<? extends Schedulable>> types) {
        Map<String, Integer> simple = new LinkedHashMap<>();
        for (Class<? extends Schedulable> c : types) simple.merge(c.getSimpleName(), 1, Integer::sum);
        for (Class<? extends Schedulable> c : types) {
            classes.put(c.getName(), c);
            byName.put(c.getName(), c);
            if (simple.get(c.getSimpleName()) == 1) byName.putIfAbsent(c.getSimpleName(), c);
        }
    }

    /** The class of a name, or a problem listing the names there are. */
    public Class<? extends Schedulable> resolve(String name) {
        Class<? extends Schedulable> c = byName.get(name);
        if (c == null) {
            throw Problem.invalid("type", "registered", "schedulable type '" + name + "' is not registered on this"
                    + " server: expected one of " + (classes.isEmpty() ? "(none: set jobs.classes)"
                    : String.join(", ", names())));
        }
        return c;
    }

    /** The short names where unique, else the full names, sorted. */
    public List<String> names() {
        List<String> out = new ArrayList<>();
        for (Class<? extends Schedulable> c : classes.values()) {
            out.add(byName.get(c.getSimpleName()) == c ? c.getSimpleName() : c.getName());
        }
        Collections.sort(out);
        return out;
    }
}
