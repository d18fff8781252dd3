-- Read model of the registered halls (platform overview), built by projection "halls".
CREATE TABLE IF NOT EXISTS halls (
    tenant_id      text        PRIMARY KEY,
    name           text        NOT NULL,
    region         text        NOT NULL,
    registered_at  timestamptz NOT NULL,
    position       bigint      NOT NULL
);
ALTER TABLE halls ENABLE ROW LEVEL SECURITY;
ALTER TABLE halls FORCE ROW LEVEL SECURITY;
-- The app role sees one hall (the tenant set per transaction); projection workers see all.
DROP POLICY IF EXISTS halls_tenant ON halls;
CREATE POLICY halls_tenant ON halls TO yanshen_app
    USING (tenant_id = current_setting('yanshen.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('yanshen.tenant_id', true));
DROP POLICY IF EXISTS halls_worker ON halls;
CREATE POLICY halls_worker ON halls TO yanshen_worker USING (true) WITH CHECK (true);
GRANT SELECT ON halls TO yanshen_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON halls TO yanshen_worker;
