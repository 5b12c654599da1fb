package dev.millrace.event;

import java.util.List;

/**
 * A subscription's code: receives batches of events in replay-id order (per partition when partitioned). The
 * class needs a public no-argument constructor and must be registered on the nodes that deliver it
 * ({@code Millrace.Builder.registerHandler}). One instance serves every delivery on a node, one at a time per
 * subscription partition. Delivery is at least once: use {@link EventRecord#eventUuid()} to stay idempotent.
 */
@FunctionalInterface
public interface EventHandler {

    /**
     * Handles one batch. Returning normally moves the checkpoint past the batch, together with what the handler
     * wrote through {@link DeliveryContext#connection()}. Throwing {@link RetryableException} rolls back and
     * re-delivers the batch later; any other exception rolls back and skips the batch, or, after
     * {@link DeliveryContext#setResumeCheckpoint}, commits the work and resumes after the checkpoint.
     */
    void handle(List<EventRecord> events, DeliveryContext context) throws Exception;
}
