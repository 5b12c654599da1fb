package dev.millrace.server.http;

/**
 * An error answered as RFC 9457 problem details ({@code application/problem+json}): a status, a type, a title,
 * a detail sentence, and, when one field of the request is at fault, that field and the rule it broke.
 */
public final class Problem extends RuntimeException {
    /** Where the problem types are documented; the last path segment is the type's slug. */
    public static final String TYPE_BASE = "https://millrace.dev/problems/";

    private final int status;
    private final String type;
    private final String title;
    private final String field;
    private final String rule;
    private final java.util.Map<String, Object> extensions;

    private Problem(int status, String type, String title, String detail, String field, String rule) {
        this(status, type, title, detail, field, rule, java.util.Map.of());
    }

    private Problem(int status, String type, String title, String detail, String field, String rule,
                    java.util.Map<String, Object> extensions) {
        super(detail, null, false, false);
        this.status = status;
        this.type = type;
        this.title = title;
        this.field = field;
        this.rule = rule;
        this.extensions = extensions;
    }

    /** 400: a field of the request breaks a rule. */
    public static Problem invalid(String field, String rule, String detail) {
        return new Problem(400, "invalid-request", "The request is invalid", detail, field, rule);
    }

    /** 400: the body is not JSON, or not of the expected shape. */
    public static Problem malformed(String field, String detail) {
        return new Problem(400, "malformed-body", "The request body is malformed", detail, field, "json");
    }

    /** 401: no key, or a key that is unknown or revoked. */
    public static Problem unauthorized(String detail) {
        return new Problem(401, "unauthorized", "Authentication required", detail, null, null);
    }

    /** 403: a valid key that may not call this route (a tenant key on an admin route). */
    public static Problem forbidden(String detail) {
        return new Problem(403, "forbidden", "Not allowed with this key", detail, null, null);
    }

    /** 404: no such thing within the caller's tenant (also for another tenant's ids). */
    public static Problem notFound(String detail) {
        return new Problem(404, "not-found", "Not found", detail, null, null);
    }

    /**
     * Reads an id from a path: a malformed id is a 404 like an unknown one, since a path id names something the
     * caller may not see. The echoed text is cut at 100 characters.
     *
     * @param kind what the id names, for the message ("job", "batch", "schedule")
     */
    public static <T> T pathId(String kind, String text, java.util.function.Function<String, T> parse) {
        try {
            return parse.apply(text);
        } catch (IllegalArgumentException e) {
            throw notFound(kind + " '" + (text.length() > 100 ? text.substring(0, 100) + "…" : text)
                    + "' does not exist: " + e.getMessage());
        }
    }

    /** 409: the request conflicts with the current state (a duplicate signature, an ended job). */
    public static Problem conflict(String rule, String detail) {
        return new Problem(409, "conflict", "Conflict with the current state", detail, null, rule);
    }

    /** 413: the body is larger than the configured limit. */
    public static Problem tooLarge(String detail) {
        return new Problem(413, "body-too-large", "The request body is too large", detail, null, "max-body-bytes");
    }

    /** 415: a body that is not JSON. */
    public static Problem unsupportedMediaType(String detail) {
        return new Problem(415, "unsupported-media-type", "Unsupported media type", detail, "Content-Type",
                "application/json");
    }

    /**
     * 429: a per-tenant allocation is used up for now; {@code rule} names it (its policy key). Add when it frees up
     * and its size with {@link #with}.
     */
    public static Problem allocationExceeded(String rule, String detail) {
        return new Problem(429, "allocation-exceeded", "Allocation used up", detail, null, rule);
    }

    /** A copy with one more member of the problem document (RFC 9457 extension), written after the standard ones. */
    public Problem with(String name, Object value) {
        java.util.Map<String, Object> more = new java.util.LinkedHashMap<>(extensions);
        more.put(name, value);
        return new Problem(status, type, title, getMessage(), field, rule, java.util.Collections.unmodifiableMap(more));
    }

    /** The extension members, by name (empty for most problems). */
    public java.util.Map<String, Object> extensions() {
        return extensions;
    }

    /** 503: the store does not answer. */
    public static Problem unavailable(String detail) {
        return new Problem(503, "unavailable", "Service unavailable", detail, null, null);
    }

    /** Any status with a type slug, for the few that have no factory. */
    public static Problem of(int status, String type, String title, String detail) {
        return new Problem(status, type, title, detail, null, null);
    }

    /** The HTTP status. */
    public int status() {
        return status;
    }

    /** The type's full URI. */
    public String type() {
        return TYPE_BASE + type;
    }

    /** The type's title. */
    public String title() {
        return title;
    }

    /** The sentence saying what was wrong and what was expected. */
    public String detail() {
        return getMessage();
    }

    /** The request field at fault, or null. */
    public String field() {
        return field;
    }

    /** The rule it broke, or null. */
    public String rule() {
        return rule;
    }
}
