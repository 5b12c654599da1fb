package dev.millrace.internal.fair;

import dev.millrace.fair.ResourceSample;
import dev.millrace.fair.ResourceSampler;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;

/** The JVM's heap use and the process's CPU load, from the platform MXBeans. */
public final class JvmSampler implements ResourceSampler {
    /** The one instance. */
    public static final JvmSampler INSTANCE = new JvmSampler();

    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();

    private JvmSampler() {
    }

    @Override
    public ResourceSample sample() {
        MemoryUsage heap = memory.getHeapMemoryUsage();
        long max = heap.getMax() > 0 ? heap.getMax() : heap.getCommitted();
        double heapPercent = max > 0 ? 100.0 * heap.getUsed() / max : 0;
        double cpu = -1;
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            double load = sun.getProcessCpuLoad();
            if (load >= 0) cpu = 100.0 * load;
        }
        return new ResourceSample(heapPercent, cpu);
    }
}
