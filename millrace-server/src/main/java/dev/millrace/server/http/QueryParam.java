package dev.millrace.server.http;

/**
 * A query parameter of a route, for the OpenAPI document.
 *
 * @param name its name
 * @param schema its JSON schema, as a small JSON text such as {@code {"type":"integer"}}
 * @param description one line
 */
public record QueryParam(String name, String schema, String description) {
}
