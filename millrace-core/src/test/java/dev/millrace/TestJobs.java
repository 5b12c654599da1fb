package dev.millrace;

import dev.millrace.limits.LimitException;

import java.sql.PreparedStatement;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/** Jobs the core tests enqueue. Static state is reset by each test that reads it. */
final class TestJobs {
    static final ConcurrentLinkedQueue<String> EVENTS = new ConcurrentLinkedQueue<>();
    static final Map<String, Object> SEEN = new ConcurrentHashMap<>();

    private TestJobs() {
    }

    static void reset() {
        WaitForAbort.started = new CountDownLatch(1);
        EVENTS.clear();
        SEEN.clear();
    }

    /** Records its name in EVENTS. */
    static class Record implements Queueable {
        String name;

        Record() {
        }

        Record(String name) {
            this.name = name;
        }

        @Override
        public void execute(QueueableContext context) {
            EVENTS.add(name);
        }
    }

    /** Always throws. */
    static class Fail implements Queueable {
        String message = "boom";

        @Override
        public void execute(QueueableContext context) {
            throw new IllegalStateException(message);
        }
    }

    /** Chains one Record child, then maybe fails. */
    static class ChainThenMaybeFail implements Queueable {
        boolean fail;

        ChainThenMaybeFail() {
        }

        ChainThenMaybeFail(boolean fail) {
            this.fail = fail;
        }

        @Override
        public void execute(QueueableContext context) {
            JobId child = context.enqueue(new Record("child"));
            SEEN.put("child", child);
            if (fail) throw new IllegalStateException("parent failed after chaining");
        }
    }

    /** Chains itself until told depth, recording its AsyncInfo. */
    static class Deep implements Queueable {
        int target;

        Deep() {
        }

        Deep(int target) {
            this.target = target;
        }

        @Override
        public void execute(QueueableContext context) {
            AsyncInfo info = context.asyncInfo();
            EVENTS.add("depth " + info.currentStackDepth() + " max " + info.maximumStackDepth());
            if (info.currentStackDepth() < target) context.enqueue(new Deep(target));
        }
    }

    /** Enqueues through the node rather than the context: inside a job that is chaining. */
    static class EnqueueThroughNode implements Queueable {
        @Override
        public void execute(QueueableContext context) {
            JobId child = MILLRACE.get().enqueue(context.tenant(), new Record("through node"));
            SEEN.put("child", child);
            try {
                MILLRACE.get().enqueue(context.tenant(), new Record("second"));
            } catch (LimitException e) {
                SEEN.put("second", e.getMessage());
            }
        }
    }

    /** enqueueAll inside a job is chaining too: the second child is over the allowance. */
    static class EnqueueAllInside implements Queueable {
        @Override
        public void execute(QueueableContext context) {
            MILLRACE.get().enqueueAll(context.tenant(), List.of(new Record("one"), new Record("two")), AsyncOptions.none());
        }
    }

    /** Tries to chain two children. */
    static class TwoChildren implements Queueable {
        @Override
        public void execute(QueueableContext context) {
            context.enqueue(new Record("first"));
            try {
                context.enqueue(new Record("second"));
            } catch (LimitException e) {
                SEEN.put("second", e.getMessage());
                throw e;
            }
        }
    }

    /** Writes a row in its own transaction, then maybe fails. */
    static class WriteRow implements Queueable {
        String table;
        String value;
        boolean fail;

        WriteRow() {
        }

        WriteRow(String table, String value, boolean fail) {
            this.table = table;
            this.value = value;
            this.fail = fail;
        }

        @Override
        public void execute(QueueableContext context) throws Exception {
            try (PreparedStatement ps = context.connection().prepareStatement("INSERT INTO " + table + " VALUES (?)")) {
                ps.setString(1, value);
                ps.executeUpdate();
            }
            if (fail) throw new IllegalStateException("failed after writing " + value);
        }
    }

    /** Logs, then fails: its log must survive the rollback. */
    static class LogThenFail implements Queueable {
        @Override
        public void execute(QueueableContext context) {
            context.log().setScenario("billing");
            context.log().info("charging {0} cents", 1250);
            throw new IllegalArgumentException("card declined");
        }
    }

    /** Blocks until aborted, checking at safe points. */
    static class WaitForAbort implements Queueable {
        static volatile CountDownLatch started = new CountDownLatch(1);

        @Override
        public void execute(QueueableContext context) throws InterruptedException {
            started.countDown();
            for (int i = 0; i < 20_000; i++) {
                context.checkAbort();
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    context.checkAbort();
                }
            }
            EVENTS.add("not aborted");
        }
    }

    /** Records the MDC during execution. */
    static class ReadMdc implements Queueable {
        @Override
        public void execute(QueueableContext context) {
            SEEN.put("mdc.job", String.valueOf(org.slf4j.MDC.get("millrace.jobId")));
            SEEN.put("mdc.tenant", String.valueOf(org.slf4j.MDC.get("millrace.tenant")));
            SEEN.put("ctx.job", context.jobId().value());
        }
    }

    /** A job whose state is a record, a list, a map, a date and a transient field. */
    static class Rich implements Queueable {
        record Line(String sku, int qty) {
        }

        List<Line> lines;
        Map<String, Integer> totals;
        LocalDate due;
        transient String cache = "set at construction";

        Rich() {
        }

        Rich(List<Line> lines, Map<String, Integer> totals, LocalDate due) {
            this.lines = lines;
            this.totals = totals;
            this.due = due;
        }

        @Override
        public void execute(QueueableContext context) {
            SEEN.put("lines", lines);
            SEEN.put("totals", totals);
            SEEN.put("due", due);
            SEEN.put("cache", String.valueOf(cache));
        }
    }

    /** Holds a field that cannot be rebuilt (an interface). */
    static class Unstorable implements Queueable {
        Runnable callback = () -> { };

        @Override
        public void execute(QueueableContext context) {
        }
    }

    /** No no-argument constructor. */
    static class NoDefaultConstructor implements Queueable {
        final String value;

        NoDefaultConstructor(String value) {
            this.value = value;
        }

        @Override
        public void execute(QueueableContext context) {
        }
    }

    /** Not registered anywhere. */
    static class Unregistered implements Queueable {
        @Override
        public void execute(QueueableContext context) {
        }
    }

    // ---- finalizers

    /** A flaky job that attaches a retrying finalizer; fails until attempt {@code succeedOn}. */
    static class Flaky implements Queueable {
        int run = 1;
        int succeedOn;

        Flaky() {
        }

        Flaky(int run, int succeedOn) {
            this.run = run;
            this.succeedOn = succeedOn;
        }

        @Override
        public void execute(QueueableContext context) {
            Retry retry = new Retry();
            context.attachFinalizer(retry);
            retry.run = run;
            retry.succeedOn = succeedOn;
            EVENTS.add("flaky run " + run);
            if (run < succeedOn) throw new IllegalStateException("flaky failure " + run);
        }
    }

    /** Re-enqueues its Flaky job when it failed; fields set after attach are seen here. */
    static class Retry implements Finalizer {
        int run;
        int succeedOn;

        @Override
        public void execute(FinalizerContext context) {
            EVENTS.add("finalizer " + context.result() + " " + context.error().map(JobError::message).orElse("-"));
            SEEN.put("requestId", context.requestId());
            SEEN.put("parent", context.parentJobId());
            if (context.result() == ParentJobResult.UNHANDLED_EXCEPTION) {
                try {
                    context.enqueue(new Flaky(run + 1, succeedOn));
                } catch (AsyncException e) {
                    EVENTS.add("retry refused: " + e.getMessage());
                }
            }
        }
    }

    /** Attaches two finalizers. */
    static class TwoFinalizers implements Queueable {
        @Override
        public void execute(QueueableContext context) {
            context.attachFinalizer(new Retry());
            try {
                context.attachFinalizer(new Retry());
            } catch (AsyncException e) {
                SEEN.put("second finalizer", e.getMessage());
            }
        }
    }

    /** A job with a finalizer that throws. */
    static class WithFailingFinalizer implements Queueable {
        @Override
        public void execute(QueueableContext context) {
            context.attachFinalizer(new FailingFinalizer());
        }
    }

    /** Throws. */
    static class FailingFinalizer implements Finalizer {
        @Override
        public void execute(FinalizerContext context) {
            throw new IllegalStateException("finalizer broke");
        }
    }

    /** Counts executions. */
    static final AtomicInteger COUNT = new AtomicInteger();

    // ---- futures

    /** Future methods. */
    static final class Futures {
        private Futures() {
        }

        @Future
        public static void greet(String name, int times, List<String> tags, Map<String, Long> totals, LocalDate day,
                                 Set<JobStatus> statuses) {
            SEEN.put("greet", name + " x" + times + " " + tags + " " + totals + " " + day + " " + statuses);
        }

        @Future
        public static void nested() {
            try {
                ExecutionContext.current().orElseThrow();
                TestJobs.MILLRACE.get().enqueueFuture(TenantId.of(String.valueOf(SEEN.get("tenant"))), Futures.class,
                        "greet", "x", 1, List.of(), Map.of(), LocalDate.now(), Set.of());
            } catch (AsyncException e) {
                SEEN.put("nested", e.getMessage());
            }
        }

        @Future
        public static void failing(String why) {
            throw new IllegalStateException(why);
        }
    }

    /** The node futures call back into (futures are static, so tests hand it over here). */
    static final java.util.concurrent.atomic.AtomicReference<Millrace> MILLRACE = new java.util.concurrent.atomic.AtomicReference<>();

    /** Not simple. */
    record Customer(String name) {
    }

    static final class BadFutures {
        private BadFutures() {
        }

        @Future
        public static void takesCustomer(Object customer) {
        }
    }

    /** Enqueues a future from a queueable. */
    static class CallsFuture implements Queueable {
        @Override
        public void execute(QueueableContext context) {
            context.enqueueFuture(Futures.class, "greet", "from job", 2, List.of("a"), Map.of("k", 1L),
                    LocalDate.of(2026, 1, 2), Set.of(JobStatus.QUEUED));
        }
    }
}
