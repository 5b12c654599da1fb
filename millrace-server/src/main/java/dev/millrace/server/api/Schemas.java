package dev.millrace.server.api;

/** JSON schemas shared by several routes, as JSON text for the OpenAPI document's components. */
final class Schemas {
    static final String REF_JOB = "{\"$ref\":\"#/components/schemas/Job\"}";
    static final String REF_TENANT = "{\"$ref\":\"#/components/schemas/Tenant\"}";
    static final String REF_API_KEY = "{\"$ref\":\"#/components/schemas/ApiKey\"}";
    static final String REF_STATS = "{\"$ref\":\"#/components/schemas/TenantStats\"}";
    static final String STATUS = "{\"type\":\"string\",\"enum\":[\"HOLDING\",\"QUEUED\",\"PREPARING\",\"PROCESSING\","
            + "\"COMPLETED\",\"ABORTED\",\"FAILED\"]}";

    static String items(String itemSchema) {
        return "{\"type\":\"object\",\"required\":[\"items\"],\"properties\":{\"items\":{\"type\":\"array\",\"items\":"
                + itemSchema + "}}}";
    }

    private Schemas() {
    }
}
