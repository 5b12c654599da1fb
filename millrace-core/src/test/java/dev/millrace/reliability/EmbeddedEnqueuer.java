package dev.millrace.reliability;

import dev.millrace.JobId;
import dev.millrace.Millrace;
import dev.millrace.TenantId;

import java.nio.file.Path;

/**
 * A child JVM ({@link EmbeddedCrashTest}) on the embedded H2 file store in the folder {@code args[0]}: it enqueues
 * jobs one by one, each committed on its own, and prints each job's id once its enqueue returned, until killed.
 */
public final class EmbeddedEnqueuer {
    static final String ACKNOWLEDGED = "acknowledged ";
    static final TenantId TENANT = TenantId.of("acme");

    private EmbeddedEnqueuer() {
    }

    public static void main(String[] args) {
        try (Millrace m = Millrace.builder().dataDir(Path.of(args[0])).register(RecordingJobs.RecordRun.class).build()) {
            m.tenants().create(TENANT);
            System.out.println("ready");
            System.out.flush();
            while (true) {
                JobId id = m.enqueue(TENANT, new RecordingJobs.RecordRun("unused"));
                System.out.println(ACKNOWLEDGED + id.uuid());
                System.out.flush();
            }
        }
    }
}
