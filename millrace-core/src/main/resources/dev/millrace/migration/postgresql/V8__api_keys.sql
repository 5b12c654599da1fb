-- API keys of the server's REST API. Only a SHA-256 hash of a key's secret is stored; the key itself is shown
-- once, when it is created. A revoked key keeps its row (revoked_at set) so listings can show it.
CREATE TABLE mr_api_key (
    id          VARCHAR(32)   PRIMARY KEY,
    tenant_id   VARCHAR(64)   NOT NULL,
    label       VARCHAR(200),
    secret_hash VARCHAR(64)   NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    revoked_at  TIMESTAMP WITH TIME ZONE
);
CREATE INDEX mr_api_key_tenant ON mr_api_key (tenant_id, created_at);
