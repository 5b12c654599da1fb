package dev.millrace.examples.demo;

/**
 * Stands in for the I/O a real job would do (a database round trip, an HTTP call). Sleeping rather than
 * spinning keeps the demo honest on a small machine: workers wait the way they would on a network, and the
 * cores stay free for the engine.
 */
final class SimulatedWork {
    private SimulatedWork() {
    }

    /** Waits as long as the simulated call takes; an abort interrupts the wait and stops the job. */
    static void call(long millis) throws InterruptedException {
        if (millis > 0) Thread.sleep(millis);
    }
}
