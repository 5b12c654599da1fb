package dev.millrace.server.http;

import io.javalin.http.Handler;
import io.javalin.http.HandlerType;

import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One endpoint of the REST API with everything said about it in one place: method, path, who may call it, its
 * handler, and what the OpenAPI document and the security tests need (path parameter kinds, query parameters,
 * request and response schemas, an example body). The server registers exactly the routes of its
 * {@link ApiModule}s, the OpenAPI document is generated from the same list, and the tests walk the same list.
 *
 * @param method the HTTP method
 * @param path the path, with {@code {name}} parameters
 * @param access who may call it
 * @param operationId a unique name for the OpenAPI document
 * @param summary one line for the OpenAPI document
 * @param pathParams the path's parameters, in order
 * @param queryParams the query parameters
 * @param requestSchema the JSON schema of the body, or null when it takes none
 * @param requestExample a valid body (the tests send it), or null
 * @param successStatus the status of success
 * @param responseSchema the JSON schema of a successful response, or null for none
 * @param responseType the media type of a successful response
 * @param handler the handler
 */
public record Route(HandlerType method, String path, Access access, String operationId, String summary,
                    List<PathParam> pathParams, List<QueryParam> queryParams, String requestSchema,
                    String requestExample, int successStatus, String responseSchema, String responseType,
                    Handler handler) {
    private static final Pattern PARAM = Pattern.compile("\\{([A-Za-z]+)}");

    /** Checks that the path's parameters and the declared ones agree. */
    public Route {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(access, "access");
        Objects.requireNonNull(handler, "handler");
        pathParams = List.copyOf(pathParams);
        queryParams = List.copyOf(queryParams);
        Matcher m = PARAM.matcher(path);
        int i = 0;
        while (m.find()) {
            if (i >= pathParams.size() || !pathParams.get(i).name().equals(m.group(1))) {
                throw new IllegalArgumentException("route " + method + " " + path + ": path parameter {" + m.group(1)
                        + "} is not declared at position " + i + ": expected PathParams in path order");
            }
            i++;
        }
        if (i != pathParams.size()) {
            throw new IllegalArgumentException("route " + method + " " + path + " declares " + pathParams.size()
                    + " path parameters but its path has " + i);
        }
    }

    /** A builder of a route. */
    public static Builder of(HandlerType method, String path, Access access) {
        return new Builder(method, path, access);
    }

    /** The path in Javalin's syntax ({@code {id}} works as is). */
    public String javalinPath() {
        return path;
    }

    /** The path with its parameters filled in, in order. */
    public String fill(String... values) {
        Matcher m = PARAM.matcher(path);
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (m.find()) m.appendReplacement(out, Matcher.quoteReplacement(values[i++]));
        m.appendTail(out);
        return out.toString();
    }

    @Override
    public String toString() {
        return method + " " + path;
    }

    /** Builds a {@link Route}; method, path and access are given, the rest has defaults. */
    public static final class Builder {
        private final HandlerType method;
        private final String path;
        private final Access access;
        private String operationId;
        private String summary = "";
        private final java.util.ArrayList<PathParam> pathParams = new java.util.ArrayList<>();
        private final java.util.ArrayList<QueryParam> queryParams = new java.util.ArrayList<>();
        private String requestSchema;
        private String requestExample;
        private int successStatus = 200;
        private String responseSchema;
        private String responseType = "application/json";

        private Builder(HandlerType method, String path, Access access) {
            this.method = method;
            this.path = path;
            this.access = access;
        }

        /** The operation's unique name. */
        public Builder operationId(String id) {
            this.operationId = id;
            return this;
        }

        /** One line saying what it does. */
        public Builder summary(String summary) {
            this.summary = summary;
            return this;
        }

        /** Declares the next path parameter. */
        public Builder pathParam(String name, IdKind kind, String description) {
            pathParams.add(new PathParam(name, kind, description));
            return this;
        }

        /** Declares a query parameter. */
        public Builder queryParam(String name, String schema, String description) {
            queryParams.add(new QueryParam(name, schema, description));
            return this;
        }

        /** The body's schema and a valid example of it. */
        public Builder request(String schema, String example) {
            this.requestSchema = schema;
            this.requestExample = example;
            return this;
        }

        /** The success status and response schema (null for no body). */
        public Builder response(int status, String schema) {
            this.successStatus = status;
            this.responseSchema = schema;
            return this;
        }

        /** The media type of a successful response (default JSON). */
        public Builder responseType(String type) {
            this.responseType = type;
            return this;
        }

        /** The route. */
        public Route handle(Handler handler) {
            return new Route(method, path, access, operationId, summary, pathParams, queryParams, requestSchema,
                    requestExample, successStatus, responseSchema, responseType, handler);
        }
    }
}
