package dev.millrace.server.cli;

import dev.millrace.JobId;
import dev.millrace.JobRecord;
import dev.millrace.JobStatus;
import dev.millrace.JobType;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RunLineageTest {

    static JobRecord job(JobType type, JobId parent) {
        return RunReportTest.job(type, JobStatus.COMPLETED, parent, 0, 1, 2, null);
    }

    @Test
    void aRunOwnsItsRootsAndEverythingDescendedFromThem() {
        JobRecord root = job(JobType.QUEUEABLE, null);
        JobRecord finalizer = job(JobType.FINALIZER, root.id());
        JobRecord retry = job(JobType.QUEUEABLE, finalizer.id());
        JobRecord future = job(JobType.FUTURE, retry.id());
        // An interrupted earlier run's job, finished by this run's node: its child is created during this run.
        JobRecord earlier = job(JobType.QUEUEABLE, null);
        JobRecord earlierChild = job(JobType.QUEUEABLE, earlier.id());
        RunLineage lineage = new RunLineage();
        lineage.addRoot(root.id());

        // Newest first, as pages come, with a child listed before its parent (another node's clock).
        List<JobRecord> ours = lineage.select(List.of(future, earlierChild, finalizer, retry, root));

        assertThat(ours).containsExactly(future, finalizer, retry, root);
    }

    @Test
    void childrenOfARootNotYetRecordedAreLeftOutUntilItIs() {
        JobRecord root = job(JobType.QUEUEABLE, null);
        JobRecord child = job(JobType.QUEUEABLE, root.id());
        RunLineage lineage = new RunLineage();

        assertThat(lineage.select(List.of(child, root))).isEmpty();
        lineage.addRoot(root.id());
        assertThat(lineage.select(List.of(child, root))).containsExactly(child, root);
    }
}
