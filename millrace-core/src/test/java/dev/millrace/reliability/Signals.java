package dev.millrace.reliability;

import dev.millrace.ExecutionContext;
import dev.millrace.JobId;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;

/**
 * What jobs running in this JVM tell the test, and the gates the test opens for them. Executions are counted
 * when they begin, so an execution whose transaction later rolls back is counted too. Reset before each test.
 */
final class Signals {
    /** The longest a job waits at a gate: a bound so a broken test never leaves a worker blocked. */
    static final Duration GATE_LIMIT = Duration.ofSeconds(60);

    private static final Map<String, AtomicInteger> STARTED = new ConcurrentHashMap<>();
    private static final Map<String, CountDownLatch> GATES = new ConcurrentHashMap<>();

    private Signals() {
    }

    static void reset() {
        STARTED.clear();
        GATES.values().forEach(CountDownLatch::countDown);
        GATES.clear();
    }

    /** Called by a job as it begins. */
    static void started(ExecutionContext context) {
        STARTED.computeIfAbsent(key(context.jobId(), context.attempt()), k -> new AtomicInteger()).incrementAndGet();
    }

    /** How many times this attempt of the job began in this JVM. */
    static int starts(JobId id, int attempt) {
        AtomicInteger n = STARTED.get(key(id, attempt));
        return n == null ? 0 : n.get();
    }

    /** Whether any attempt of the job began in this JVM. */
    static boolean ranHere(String jobId) {
        String prefix = jobId + "/";
        return STARTED.keySet().stream().anyMatch(k -> k.startsWith(prefix));
    }

    /** Attempts that began more than once in this JVM, as "jobId/attempt". */
    static java.util.List<String> attemptsStartedTwice() {
        return STARTED.entrySet().stream().filter(e -> e.getValue().get() > 1).map(Map.Entry::getKey).sorted().toList();
    }

    /** How many distinct attempts began in this JVM. */
    static int attemptsStarted() {
        return STARTED.size();
    }

    /** Waits until this attempt of the job has begun in this JVM. */
    static void awaitStarted(JobId id, int attempt) {
        await("attempt " + attempt + " of job " + id + " to start").atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(20)).until(() -> starts(id, attempt) > 0);
    }

    /** Blocks a job until the test opens the gate (or {@link #GATE_LIMIT} passes); honours interrupts. */
    static void awaitGate(String gate) throws InterruptedException {
        if (!latch(gate).await(GATE_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("gate '" + gate + "' was never opened");
        }
    }

    /** Lets every job waiting at the gate, now or later, go on. */
    static void open(String gate) {
        latch(gate).countDown();
    }

    private static CountDownLatch latch(String gate) {
        return GATES.computeIfAbsent(gate, g -> new CountDownLatch(1));
    }

    private static String key(JobId id, int attempt) {
        return id.value() + "/" + attempt;
    }
}
