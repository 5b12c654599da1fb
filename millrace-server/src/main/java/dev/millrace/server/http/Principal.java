package dev.millrace.server.http;

import dev.millrace.TenantId;

/**
 * Who is calling, once the key is checked.
 *
 * @param admin whether it is the admin key
 * @param tenant the tenant it acts for: the key's tenant, or the one the admin named; null for the admin
 *               without a tenant header
 * @param keyId the API key's id, or "admin"
 */
public record Principal(boolean admin, TenantId tenant, String keyId) {

    /** The tenant this request acts for, or a problem saying how to name one. */
    public TenantId requireTenant() {
        if (tenant == null) {
            throw Problem.invalid(Auth.TENANT_HEADER, "required",
                    "the admin key acts on a tenant's routes only with the header " + Auth.TENANT_HEADER
                            + ": <tenantId>; expected that header");
        }
        return tenant;
    }
}
