package dev.millrace.bench;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.millrace.Queueable;
import dev.millrace.QueueableContext;

import java.io.UncheckedIOException;

/**
 * The no-op job both queues run. Its only work is to tell the {@link Probe} it started, so timings come from
 * the process itself rather than from polling the database.
 *
 * <p>Its state is the time it was sent ({@link System#nanoTime()}, meaningful in this process only) and a tag
 * saying which histogram its wait belongs to; tag 0 means "not timed". The baseline stores the same JSON
 * Millrace stores and decodes it the same way, so both pay for (de)serialisation.
 */
public final class BenchJob implements Queueable {
    private static final ObjectMapper JSON = new ObjectMapper()
            .setVisibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE)
            .setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY);

    private long sentAt;
    private int tag;

    private BenchJob() {
    }

    /** An untimed job. */
    public static BenchJob untimed() {
        return new BenchJob();
    }

    /** A job whose wait (sent → started) is recorded under {@code tag}; {@code sentAt} is now. */
    public static BenchJob timed(int tag) {
        BenchJob job = new BenchJob();
        job.tag = tag;
        job.sentAt = System.nanoTime();
        return job;
    }

    @Override
    public void execute(QueueableContext context) {
        Probe.started(context.tenant().value(), sentAt, tag, tag > 0 ? context.jobId().toString() : null);
    }

    /** What the baseline's worker calls: the same report, without a Millrace context. */
    void run(String tenant) {
        Probe.started(tenant, sentAt, tag);
    }

    /** This job's state as JSON, the way the baseline stores it. */
    String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Rebuilds a job from the baseline's stored JSON. */
    static BenchJob fromJson(String json) {
        try {
            return JSON.readValue(json, BenchJob.class);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
