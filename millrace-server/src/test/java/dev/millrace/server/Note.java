package dev.millrace.server;

import dev.millrace.Queueable;
import dev.millrace.QueueableContext;

/** A test job: logs its text {@code times} times. */
public class Note implements Queueable {
    private String text;
    private int times;

    Note() {
    }

    /** A note. */
    public Note(String text, int times) {
        this.text = text;
        this.times = times;
    }

    @Override
    public void execute(QueueableContext context) {
        for (int i = 0; i < times; i++) context.log().info("note {0}", text);
    }
}
