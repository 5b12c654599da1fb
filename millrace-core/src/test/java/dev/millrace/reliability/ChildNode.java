package dev.millrace.reliability;

import dev.millrace.Millrace;

import java.time.Duration;

/**
 * The main class of a node in a child JVM ({@link ChildJvm} starts it): a node on the test's PostgreSQL schema
 * that runs {@link RecordingJobs.RecordRun} until its standard input closes (the parent stopping it, or dying)
 * or it is killed.
 *
 * <p>Arguments: JDBC URL, user, schema, node id, lease in milliseconds, workers.
 */
public final class ChildNode {
    /** Printed once the node runs; {@link ChildJvm#awaitStarted()} waits for it. */
    static final String STARTED = "millrace child node started: ";

    private ChildNode() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            System.err.println("usage: ChildNode jdbcUrl user schema nodeId leaseMillis workers");
            System.exit(2);
        }
        try (Millrace node = Millrace.builder()
                .jdbcUrl(args[0], args[1], "")
                .schema(args[2])
                .nodeId(args[3])
                .lease(Duration.ofMillis(Long.parseLong(args[4])))
                .workers(Integer.parseInt(args[5]))
                .pollInterval(Duration.ofMillis(50))
                .register(RecordingJobs.RecordRun.class)
                .build()
                .start()) {
            System.out.println(STARTED + node.nodeId());
            System.out.flush();
            while (System.in.read() >= 0) {
                // run until the parent closes our standard input
            }
        }
        System.out.println("millrace child node stopped");
    }
}
