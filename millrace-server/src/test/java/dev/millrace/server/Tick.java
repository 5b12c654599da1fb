package dev.millrace.server;

import dev.millrace.schedule.Schedulable;
import dev.millrace.schedule.ScheduleContext;

/** A test schedulable: logs its label at each fire. */
public class Tick implements Schedulable {
    private String label;

    Tick() {
    }

    /** A tick with a label. */
    public Tick(String label) {
        this.label = label;
    }

    @Override
    public void execute(ScheduleContext context) {
        context.log().info("tick {0}", label);
    }
}
