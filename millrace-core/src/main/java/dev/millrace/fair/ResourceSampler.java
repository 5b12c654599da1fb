package dev.millrace.fair;

/**
 * Measures the node's load for the resource governor. The default reads the JVM's heap and the process's CPU load;
 * tests pass their own to drive the governor.
 */
@FunctionalInterface
public interface ResourceSampler {

    /** The node's load now. */
    ResourceSample sample();

    /** The JVM's heap use (after the last collection's effect, as the memory pool reports it) and the process CPU load. */
    static ResourceSampler jvm() {
        return dev.millrace.internal.fair.JvmSampler.INSTANCE;
    }
}
