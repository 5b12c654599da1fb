package dev.millrace.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.millrace.DuplicateJobException;
import dev.millrace.JobNotFoundException;
import dev.millrace.MaxStackDepthException;
import dev.millrace.SerializationException;
import dev.millrace.UnknownJobTypeException;
import dev.millrace.UnknownTenantException;
import dev.millrace.event.DeliveryLimitException;
import dev.millrace.limits.LimitException;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every failure of a request into RFC 9457 problem details. Known exceptions of the core map to 4xx
 * (an unknown tenant or job is 404, bad values 400, a duplicate 409); anything else is a 500 whose detail says
 * only that it is logged, so no internal text reaches a caller.
 */
public final class Problems {
    private static final Logger LOG = LoggerFactory.getLogger(Problems.class);
    /** The media type of problem details. */
    public static final String MEDIA_TYPE = "application/problem+json";

    private Problems() {
    }

    /** The problem an exception stands for. */
    public static Problem of(Throwable e) {
        if (e instanceof Problem p) return p;
        if (e instanceof UnknownTenantException) return Problem.notFound(e.getMessage());
        if (e instanceof JobNotFoundException) return Problem.notFound(e.getMessage());
        if (e instanceof DuplicateJobException) return Problem.conflict("duplicate-signature", e.getMessage());
        if (e instanceof MaxStackDepthException) return Problem.invalid("options.maximumStackDepth", "range", e.getMessage());
        if (e instanceof DeliveryLimitException d) return deliveryLimit(d);
        if (e instanceof LimitException) return Problem.conflict("limit", e.getMessage());
        if (e instanceof UnknownJobTypeException) return Problem.invalid("type", "registered", e.getMessage());
        if (e instanceof SerializationException) return Problem.invalid("state", "serializable", e.getMessage());
        if (e instanceof IllegalArgumentException) return Problem.invalid(null, "value", e.getMessage());
        if (e instanceof HttpResponseException h) {
            int status = h.getStatus();
            if (status == 413) return Problem.tooLarge("the body is too large: " + h.getMessage());
            return Problem.of(status, "http-" + status, h.getMessage(), h.getMessage());
        }
        return null;
    }

    /**
     * 429 for the tenant's external delivery allocation (SPEC EVT-16): the rule names the policy key, and the members
     * {@code allocation}, {@code used} and {@code resetsAt} (null when only an operator can free it) say the rest.
     */
    public static Problem deliveryLimit(DeliveryLimitException e) {
        return Problem.allocationExceeded(DeliveryLimitException.ALLOCATION, e.getMessage())
                .with("allocation", e.allocation()).with("used", e.used())
                .with("resetsAt", e.resetsAt() == null ? null : e.resetsAt().toString());
    }

    /** Writes the problem for an exception; unknown ones are logged and answered 500. */
    public static void write(Context ctx, Throwable e) {
        Problem p = of(e);
        if (p == null) {
            LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
            p = Problem.of(500, "internal", "Internal error",
                    "the server failed to handle the request; the error is in its log");
        }
        write(ctx, p);
    }

    /** Whether a problem was already written for this request (so error pages leave it alone). */
    public static boolean written(Context ctx) {
        return ctx.attribute(WRITTEN) != null;
    }

    private static final String WRITTEN = "millrace.problem";
    private static final java.time.format.DateTimeFormatter HTTP_DATE = java.time.format.DateTimeFormatter
            .ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", java.util.Locale.ENGLISH);

    /** Writes a problem as the response. */
    public static void write(Context ctx, Problem p) {
        ctx.attribute(WRITTEN, Boolean.TRUE);
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("type", p.type());
        body.put("title", p.title());
        body.put("status", p.status());
        body.put("detail", p.detail());
        body.put("instance", ctx.path());
        if (p.field() != null) body.put("field", p.field());
        if (p.rule() != null) body.put("rule", p.rule());
        p.extensions().forEach((name, value) -> body.set(name, Json.MAPPER.valueToTree(value)));
        // The charset is named: Jetty encodes a String result as ISO-8859-1 otherwise, and a detail's "0–23" reads "0?23".
        ctx.status(p.status()).contentType(MEDIA_TYPE + "; charset=utf-8").result(body.toString());
        if (p.status() == 401) ctx.header("WWW-Authenticate", "Bearer realm=\"millrace\"");
        if (p.status() == 429 && p.extensions().get("resetsAt") instanceof String at) {
            // An HTTP date (RFC 9110), so the header needs no clock of the server's own.
            ctx.header("Retry-After", HTTP_DATE.format(java.time.Instant.parse(at).atOffset(java.time.ZoneOffset.UTC)));
        }
        if (ctx.req().getContentLengthLong() != 0) {
            // A refused request's body may be unread (too large, or refused before reading): Jetty then closes the
            // connection, and saying so up front stops a client from sending its next request on a dead connection.
            ctx.header("Connection", "close");
        }
    }
}
