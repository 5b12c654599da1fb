package dev.millrace.internal.engine;

import dev.millrace.Future;
import dev.millrace.JobId;
import dev.millrace.TenantId;
import dev.millrace.UnknownJobTypeException;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.temporal.Temporal;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The job classes and future methods a node knows, registered explicitly (no scanning). Names are class
 * names, so a job enqueued on one node runs on any node that registered the same class.
 */
final class Registry {
    private static final Set<Class<?>> SIMPLE = Set.of(String.class, Boolean.class, Character.class, Byte.class,
            Short.class, Integer.class, Long.class, Float.class, Double.class, UUID.class, JobId.class, TenantId.class,
            BigDecimal.class, BigInteger.class);
    static final String SIMPLE_TYPES = "a primitive or its wrapper, String, an enum, UUID, JobId, TenantId, a java.time"
            + " date or time, BigDecimal, BigInteger, or a List, Set or Map of those";

    /** The step workflow's class name before the public API moved into feature packages. */
    static final String FORMER_STEP_WORKFLOW = "dev.millrace.StepWorkflow";

    private final Map<String, Class<?>> jobs = new HashMap<>();
    private final Map<String, Method> futures = new HashMap<>();

    Registry(List<Class<?>> jobClasses, List<Class<?>> futureClasses) {
        // The engine's own schedulable of scheduleBatch: known on every node.
        jobs.put(BatchLauncher.class.getName(), BatchLauncher.class);
        for (Class<?> c : jobClasses) {
            checkNamed(c);
            jobs.put(c.getName(), c);
        }
        // Step workflow jobs are stored under the workflow's class name, which was dev.millrace.StepWorkflow before the
        // public API moved into feature packages: jobs stored then still run.
        if (jobs.containsKey(dev.millrace.step.StepWorkflow.class.getName())) {
            jobs.put(FORMER_STEP_WORKFLOW, dev.millrace.step.StepWorkflow.class);
        }
        for (Class<?> c : futureClasses) {
            int found = 0;
            for (Method m : c.getDeclaredMethods()) {
                if (!m.isAnnotationPresent(Future.class)) continue;
                String where = "future " + c.getName() + "." + m.getName();
                if (!Modifier.isStatic(m.getModifiers()) || m.getReturnType() != void.class) {
                    throw new IllegalArgumentException(where + " cannot be registered: expected a static void method");
                }
                for (int i = 0; i < m.getParameterCount(); i++) {
                    if (!isSimpleType(m.getGenericParameterTypes()[i])) {
                        throw new IllegalArgumentException(where + " cannot be registered: parameter " + (i + 1) + " ('"
                                + m.getParameters()[i].getName() + "') is " + m.getGenericParameterTypes()[i].getTypeName()
                                + ": expected " + SIMPLE_TYPES);
                    }
                }
                if (futures.putIfAbsent(key(c.getName(), m.getName()), m) != null) {
                    throw new IllegalArgumentException(where + " cannot be registered: another @Future method has the"
                            + " same name; expected one future per name");
                }
                m.setAccessible(true);
                found++;
            }
            if (found == 0) {
                throw new IllegalArgumentException("class " + c.getName()
                        + " has no @Future method: expected at least one static void method marked @Future");
            }
        }
    }

    private static void checkNamed(Class<?> c) {
        if (c.isAnonymousClass() || c.isSynthetic() || c.isHidden() || c.isLocalClass()
                || (c.isMemberClass() && !Modifier.isStatic(c.getModifiers()))) {
            throw new IllegalArgumentException("class " + c.getName() + " cannot be a job: expected a named top-level or"
                    + " static nested class (lambdas, anonymous, local and inner classes cannot be rebuilt on another node)");
        }
    }

    /** The registered class of a job object, or an error naming it. */
    void checkJob(Object job) {
        Class<?> c = job.getClass();
        if (jobs.get(c.getName()) != c) {
            throw new UnknownJobTypeException("job class " + c.getName() + " is not registered on this node: expected"
                    + " Millrace.builder().register(" + c.getSimpleName() + ".class)");
        }
    }

    /** The class to run a stored job with, or an error naming it. */
    Class<?> jobClass(String name) {
        Class<?> c = jobs.get(name);
        if (c == null) {
            throw new UnknownJobTypeException("job class " + name + " is not registered on this node: expected every node"
                    + " that runs it to call Millrace.builder().register(...) with it");
        }
        return c;
    }

    /** The future method, or an error naming it. */
    Method future(String className, String method) {
        Method m = futures.get(key(className, method));
        if (m == null) {
            throw new UnknownJobTypeException("future " + className + "." + method + " is not registered on this node:"
                    + " expected a static void method marked @Future in a class passed to registerFutures(...)");
        }
        return m;
    }

    /** Checks a future's arguments by value and returns its method. */
    Method checkFutureCall(Class<?> type, String name, Object[] args) {
        Method m = future(type.getName(), name);
        String where = "future " + type.getName() + "." + name;
        if (args.length != m.getParameterCount()) {
            throw new IllegalArgumentException(where + " takes " + m.getParameterCount() + " arguments: got " + args.length);
        }
        for (int i = 0; i < args.length; i++) {
            Class<?> declared = m.getParameterTypes()[i];
            String param = "argument " + (i + 1) + " ('" + m.getParameters()[i].getName() + "') of " + where;
            if (args[i] == null) {
                if (declared.isPrimitive()) throw new IllegalArgumentException(param + " is null: expected a " + declared);
                continue;
            }
            if (!isSimpleValue(args[i])) {
                throw new IllegalArgumentException(param + " is a " + args[i].getClass().getName() + ": expected "
                        + SIMPLE_TYPES + " (arguments are copied by value)");
            }
            Class<?> boxed = declared.isPrimitive() ? box(declared) : declared;
            if (!boxed.isInstance(args[i])) {
                throw new IllegalArgumentException(param + " is a " + args[i].getClass().getName() + ": expected a "
                        + declared.getName());
            }
        }
        return m;
    }

    private static boolean isSimpleValue(Object v) {
        if (v == null) return true;
        Class<?> c = v.getClass();
        if (SIMPLE.contains(c) || c.isEnum() || v instanceof Temporal || v instanceof java.util.Date
                || (c.getSuperclass() != null && c.getSuperclass().isEnum())) {
            return true;
        }
        if (v instanceof Collection<?> coll) return coll.stream().allMatch(Registry::isSimpleValue);
        if (v instanceof Map<?, ?> map) {
            return map.entrySet().stream().allMatch(e -> isSimpleValue(e.getKey()) && isSimpleValue(e.getValue()));
        }
        return false;
    }

    private static boolean isSimpleType(Type t) {
        if (t instanceof Class<?> c) {
            return c.isPrimitive() || SIMPLE.contains(c) || c.isEnum() || Temporal.class.isAssignableFrom(c)
                    || java.util.Date.class.isAssignableFrom(c);
        }
        if (t instanceof ParameterizedType p && p.getRawType() instanceof Class<?> raw
                && (List.class == raw || Set.class == raw || Map.class == raw || Collection.class == raw)) {
            for (Type arg : p.getActualTypeArguments()) {
                if (!isSimpleType(arg)) return false;
            }
            return true;
        }
        return false;
    }

    private static Class<?> box(Class<?> p) {
        return switch (p.getName()) {
            case "int" -> Integer.class;
            case "long" -> Long.class;
            case "boolean" -> Boolean.class;
            case "double" -> Double.class;
            case "float" -> Float.class;
            case "short" -> Short.class;
            case "byte" -> Byte.class;
            case "char" -> Character.class;
            default -> p;
        };
    }

    private static String key(String className, String method) {
        return className + "#" + method;
    }
}
