package dev.millrace.event;

import dev.millrace.TenantId;

import java.net.http.HttpClient;
import java.sql.Connection;
import java.util.List;

/**
 * What a handler can reach during one delivery: its transaction, retry state, the resume checkpoint and the identity
 * it runs as.
 */
public interface DeliveryContext {

    /** The subscription's tenant. */
    TenantId tenant();

    /** The subscription's name. */
    String subscription();

    /**
     * The identity the handler runs as (SPEC EVT-9): its subscription's {@link Subscription#runAs()},
     * {@value Subscription#DEFAULT_RUN_AS} by default, never the publisher. It is in the MDC as {@code millrace.runAs}
     * during the delivery and is recorded as the author of what the platform audits meanwhile without an explicit
     * one (a feature flag switched with {@code flags().set(tenant, name, enabled)}).
     */
    String runAs();

    /** The partition being delivered (0 when not partitioned). */
    int partition();

    /** How many times this batch was retried so far (0 on the first delivery). */
    int retries();

    /** The message of the last {@link RetryableException}, or null. */
    String lastError();

    /**
     * The delivery's transaction on the Millrace database. What the handler writes here commits together with the
     * checkpoint. Do not commit, roll back or close it.
     */
    Connection connection();

    /**
     * Marks every event up to this one as handled: if the handler then fails (other than retryably), the work so
     * far commits and the next delivery starts after this event (SPEC EVT-10).
     *
     * @throws IllegalArgumentException when the replay id is not in the current batch
     */
    void setResumeCheckpoint(long replayId);

    /** Publishes events from the handler: after-commit events commit with the delivery's transaction. */
    List<PublishResult> publish(List<Event> events);

    /**
     * The delivery's HTTP client, counted against the batch's governor limits (callouts and their time). Callouts
     * are refused with {@link dev.millrace.limits.CalloutException} unless the tenant's
     * {@link EventPolicy#calloutsInHandlers()} allows them (SPEC EVT-15): a handler that must call out otherwise
     * enqueues a queueable that does.
     */
    HttpClient httpClient();
}
