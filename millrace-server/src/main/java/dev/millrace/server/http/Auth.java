package dev.millrace.server.http;

import dev.millrace.TenantId;
import dev.millrace.apikey.ApiKey;
import dev.millrace.apikey.ApiKeys;
import io.javalin.http.Context;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Checks the {@code Authorization: Bearer <key>} of a request against the route's {@link Access}. The admin key
 * comes from configuration and is compared in constant time; tenant keys are checked by {@link ApiKeys}
 * (hashes, constant time). A tenant key on an admin route is 403; any tenant id it names elsewhere is looked up
 * only within its own tenant, so another tenant's ids are 404.
 */
public final class Auth {
    /** The header with which the admin key names the tenant a tenant route acts for. */
    public static final String TENANT_HEADER = "Millrace-Tenant";
    /** Where the principal is kept on the request. */
    static final String ATTRIBUTE = "millrace.principal";

    private final byte[] adminKey;
    private final ApiKeys keys;

    /** Checks against this admin key (null: no admin access) and these tenant keys. */
    public Auth(String adminKey, ApiKeys keys) {
        this.adminKey = adminKey == null ? null : adminKey.getBytes(StandardCharsets.UTF_8);
        this.keys = keys;
    }

    /** Authenticates the request for a route of this access, or throws the problem; stores the principal. */
    public Principal check(Context ctx, Access access) {
        if (access == Access.PUBLIC) return null;
        String header = ctx.header("Authorization");
        if (header == null || header.isBlank()) {
            throw Problem.unauthorized("no API key: expected the header Authorization: Bearer <key>");
        }
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw Problem.unauthorized("the Authorization header is not a bearer key: expected Authorization: Bearer <key>");
        }
        String presented = header.substring(7).trim();
        Principal principal;
        if (isAdmin(presented)) {
            principal = new Principal(true, tenantHeader(ctx), "admin");
        } else {
            Optional<ApiKey> key = keys.authenticate(presented);
            if (key.isEmpty()) throw Problem.unauthorized("the API key is unknown or revoked: expected an active key");
            if (access == Access.ADMIN) {
                throw Problem.forbidden("this route needs the admin key: a tenant's key cannot manage tenants or keys");
            }
            principal = new Principal(false, key.get().tenant(), key.get().id());
        }
        ctx.attribute(ATTRIBUTE, principal);
        return principal;
    }

    /** The principal of an authenticated request. */
    public static Principal principal(Context ctx) {
        return ctx.attribute(ATTRIBUTE);
    }

    private boolean isAdmin(String presented) {
        if (adminKey == null) return false;
        // MessageDigest.isEqual takes the same time wherever the two differ.
        return MessageDigest.isEqual(adminKey, presented.getBytes(StandardCharsets.UTF_8));
    }

    private static TenantId tenantHeader(Context ctx) {
        String value = ctx.header(TENANT_HEADER);
        if (value == null || value.isBlank()) return null;
        try {
            return TenantId.of(value.trim());
        } catch (IllegalArgumentException e) {
            throw Problem.invalid(TENANT_HEADER, "tenant-id", e.getMessage());
        }
    }
}
