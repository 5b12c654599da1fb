package dev.millrace.internal.engine;

import dev.millrace.ExecutionContext;

/** Which execution runs on the current thread: how {@code enqueue} called inside a job becomes chaining. */
public final class Executions {
    private static final ThreadLocal<BaseContext> CURRENT = new ThreadLocal<>();

    private Executions() {
    }

    /** The execution on this thread, or null. */
    public static ExecutionContext current() {
        return CURRENT.get();
    }

    /**
     * Sets the extended status the running job ends with (the step framework's progress line); on failure it
     * prefixes the error. Does nothing outside an execution.
     */
    public static void status(String text) {
        BaseContext c = CURRENT.get();
        if (c != null) c.statusText(text);
    }

    static BaseContext currentContext() {
        return CURRENT.get();
    }

    static void set(BaseContext context) {
        CURRENT.set(context);
    }

    static void clear() {
        CURRENT.remove();
    }
}
