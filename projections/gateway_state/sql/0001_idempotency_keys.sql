-- Idempotency keys of GraphQL mutations (gateway/idempotency): the first response per
-- (hall, caller, key), kept for YANSHEN_IDEMPOTENCY_TTL_SECONDS. Not a read model: the
-- gateway writes it as yanshen_app, one hall per transaction ('' for platform callers).
CREATE TABLE IF NOT EXISTS idempotency_keys (
    tenant_id     text        NOT NULL,
    principal     text        NOT NULL,
    key           text        NOT NULL,
    request_hash  text        NOT NULL,
    response      jsonb,
    created_at    timestamptz NOT NULL DEFAULT now(),
    completed_at  timestamptz,
    PRIMARY KEY (tenant_id, principal, key)
);
CREATE INDEX IF NOT EXISTS idempotency_keys_created ON idempotency_keys (tenant_id, created_at);
ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE idempotency_keys FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS idempotency_keys_tenant ON idempotency_keys;
CREATE POLICY idempotency_keys_tenant ON idempotency_keys TO yanshen_app
    USING (tenant_id = current_setting('yanshen.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('yanshen.tenant_id', true));
DROP POLICY IF EXISTS idempotency_keys_worker ON idempotency_keys;
CREATE POLICY idempotency_keys_worker ON idempotency_keys TO yanshen_worker
    USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys TO yanshen_app, yanshen_worker;
