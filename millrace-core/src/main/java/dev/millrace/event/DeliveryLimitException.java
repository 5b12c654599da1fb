package dev.millrace.event;

import dev.millrace.TenantId;
import dev.millrace.limits.LimitException;

import java.time.Instant;

/**
 * The tenant's allocation of events delivered to external clients ({@link EventPolicy#externalDeliveriesPer24h()},
 * SPEC EVT-16) is used up: an {@link Events#externalReader external reader} had events to return and none could be
 * counted. Nothing was returned and the reader's position did not move, so the same events can be read again once
 * the allocation frees up ({@link #resetsAt()}), as long as they are retained.
 */
public class DeliveryLimitException extends LimitException {
    private static final long serialVersionUID = 1L;
    /** The policy key of the allocation, as problems and error events name it. */
    public static final String ALLOCATION = "externalDeliveriesPer24h";

    private final TenantId tenant;
    private final long allocation;
    private final long used;
    private final Instant resetsAt;

    /**
     * With a message naming the allocation, its size, the usage and when it frees up.
     *
     * @param resetsAt when part of the allocation frees up, or null when nothing is counted (an allocation of 0)
     */
    public DeliveryLimitException(TenantId tenant, long allocation, long used, Instant resetsAt) {
        super("tenant '" + tenant + "' has received its " + allocation + " external deliveries of the last 24 hours"
                + " (event policy " + ALLOCATION + ", " + used + " counted): expected "
                + (resetsAt == null ? "" : "to read again from " + resetsAt + ", when the deliveries of the oldest"
                + " counted hour leave the rolling 24 hours, or ") + "an operator to raise it; the events stay"
                + " replayable");
        this.tenant = tenant;
        this.allocation = allocation;
        this.used = used;
        this.resetsAt = resetsAt;
    }

    /** The tenant whose allocation is used up. */
    public TenantId tenant() {
        return tenant;
    }

    /** The allocation: events external clients may receive in the rolling 24 hours. */
    public long allocation() {
        return allocation;
    }

    /** Events counted in the rolling 24 hours. */
    public long used() {
        return used;
    }

    /**
     * When part of the allocation frees up: the oldest counted hour leaves the rolling 24 hours; null when nothing
     * is counted (an allocation of 0 frees up only when an operator raises it).
     */
    public Instant resetsAt() {
        return resetsAt;
    }
}
