package dev.millrace.server.http;

import java.util.List;

/**
 * A group of routes of one feature (jobs, tenants, keys, ...). A feature joins the REST API by adding its
 * module to {@code MillraceServer.modules}; its routes are then served, described in the OpenAPI document and
 * covered by the cross-tenant and fuzz tests without further wiring.
 */
public interface ApiModule {
    /** The routes, in the order the OpenAPI document lists them. */
    List<Route> routes();
}
