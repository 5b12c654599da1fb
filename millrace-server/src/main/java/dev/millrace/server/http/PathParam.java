package dev.millrace.server.http;

/**
 * A path parameter of a route.
 *
 * @param name its name in the path, as in {@code {id}}
 * @param kind what it names
 * @param description one line for the OpenAPI document
 */
public record PathParam(String name, IdKind kind, String description) {
}
