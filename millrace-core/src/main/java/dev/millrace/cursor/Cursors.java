package dev.millrace.cursor;

import dev.millrace.ExecutionContext;
import dev.millrace.TenantId;
import dev.millrace.UnknownTenantException;

/**
 * Cursor administration: each tenant's cursor limits. Cursors themselves are opened inside executions with
 * {@link ExecutionContext#cursor(String, Object...)}.
 */
public interface Cursors {

    /** The tenant's cursor limits ({@link CursorPolicy#DEFAULTS} until an operator set others). */
    CursorPolicy policy(TenantId tenant);

    /**
     * Sets the tenant's cursor limits; they apply to cursors opened and fetches made from now on.
     *
     * @throws UnknownTenantException when the tenant does not exist
     */
    CursorPolicy putPolicy(TenantId tenant, CursorPolicy policy);
}
