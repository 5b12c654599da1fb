package dev.millrace.bench;

import dev.millrace.schedule.Schedulable;
import dev.millrace.schedule.ScheduleContext;

import java.time.Instant;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The schedulable of the {@code schedules} workload: it does nothing but note which occurrence ran and when its
 * {@code execute} began, read from the system clock (the same clock the fire times are computed from).
 */
public final class BenchSchedule implements Schedulable {
    /** One execution: the schedule, the occurrence's fire time, when execute began. */
    record Run(String scheduleId, Instant fireTime, Instant startedAt) {
    }

    static final ConcurrentLinkedQueue<Run> RUNS = new ConcurrentLinkedQueue<>();

    @Override
    public void execute(ScheduleContext context) {
        RUNS.add(new Run(context.scheduleId().value(), context.fireTime(), Instant.now()));
    }
}
