package dev.millrace.internal.engine;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A batch cutting its query beside its chunks holds two connections where a worker otherwise holds one: a node
 * lets at most half its workers (1 to 4) do so at once, within the six connections a pool has beyond one per worker.
 */
class BatchCutPermitsTest {

    @Test
    void halfTheWorkersMayCutBesideTheirChunksAtLeastOneAndAtMostFour() {
        assertThat(BatchRunner.cutsBesideChunks(1)).isEqualTo(1);
        assertThat(BatchRunner.cutsBesideChunks(2)).isEqualTo(1);
        assertThat(BatchRunner.cutsBesideChunks(5)).isEqualTo(2);
        assertThat(BatchRunner.cutsBesideChunks(8)).isEqualTo(4);
        assertThat(BatchRunner.cutsBesideChunks(64)).isEqualTo(4);
        for (int workers = 1; workers <= 64; workers++) {
            assertThat(workers + BatchRunner.cutsBesideChunks(workers)).as("connections held for long, %d workers",
                    workers).isLessThanOrEqualTo(workers + 4);
        }
    }
}
