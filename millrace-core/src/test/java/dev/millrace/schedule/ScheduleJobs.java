package dev.millrace.schedule;

import dev.millrace.Queueable;
import dev.millrace.QueueableContext;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;

/** Schedulables the schedule tests use; every fire is recorded in {@link #FIRES}, reset by each test. */
final class ScheduleJobs {
    /** One execution of a schedulable. */
    record Fire(String scheduleId, Instant fireTime, String jobId, String label) {
    }

    static final ConcurrentLinkedQueue<Fire> FIRES = new ConcurrentLinkedQueue<>();

    private ScheduleJobs() {
    }

    static void reset() {
        FIRES.clear();
    }

    static List<Fire> fires() {
        return List.copyOf(FIRES);
    }

    /** How many executions each (schedule, fire time) had. */
    static Map<String, Long> executionsPerOccurrence() {
        return FIRES.stream().collect(Collectors.groupingBy(f -> f.scheduleId() + "@" + f.fireTime(),
                Collectors.counting()));
    }

    /** Records its label, schedule id, fire time and job id. */
    static class RecordFire implements Schedulable {
        String label;

        RecordFire() {
        }

        RecordFire(String label) {
            this.label = label;
        }

        @Override
        public void execute(ScheduleContext context) {
            FIRES.add(new Fire(context.scheduleId().value(), context.fireTime(), context.jobId().value(), label));
        }
    }

    /** Enqueues one {@link Work} job, the common pattern: heavy work belongs in a queueable. */
    static class StartWork implements Schedulable {
        @Override
        public void execute(ScheduleContext context) {
            FIRES.add(new Fire(context.scheduleId().value(), context.fireTime(), context.jobId().value(), "start"));
            context.enqueue(new Work());
        }
    }

    /** The work a schedulable starts. */
    static class Work implements Queueable {
        @Override
        public void execute(QueueableContext context) {
            FIRES.add(new Fire(null, null, context.jobId().value(), "work"));
        }
    }

    /** A schedulable with a number in its state (the tests corrupt it). */
    static class Counter implements Schedulable {
        int count;

        @Override
        public void execute(ScheduleContext context) {
            FIRES.add(new Fire(context.scheduleId().value(), context.fireTime(), context.jobId().value(), "" + count));
        }
    }
}
