package dev.millrace.reliability;

import dev.millrace.Millrace;
import dev.millrace.batch.TestBatches;

import java.time.Duration;

/** A child node ({@link ChildJvm}) that runs the batch tests' batches; arguments as {@link ChildNode}'s. */
public final class BatchChildNode {
    private BatchChildNode() {
    }

    public static void main(String[] args) throws Exception {
        try (Millrace node = Millrace.builder()
                .jdbcUrl(args[0], args[1], "")
                .schema(args[2])
                .nodeId(args[3])
                .lease(Duration.ofMillis(Long.parseLong(args[4])))
                .workers(Integer.parseInt(args[5]))
                .pollInterval(Duration.ofMillis(50))
                .register(TestBatches.SumItems.class)
                .register(TestBatches.SlowCut.class)
                .build()
                .start()) {
            System.out.println(ChildNode.STARTED + node.nodeId());
            System.out.flush();
            while (System.in.read() >= 0) {
                // run until the parent closes our standard input
            }
        }
    }
}
