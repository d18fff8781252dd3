-- Read model of the halls' public service catalogs (服务事项), built by projection "catalog".
CREATE TABLE IF NOT EXISTS catalog_items (
    tenant_id              text        NOT NULL,
    code                   text        NOT NULL,
    item_id                uuid        NOT NULL,
    name                   text        NOT NULL,
    category               text        NOT NULL,
    legal_basis            text        NOT NULL,
    materials              jsonb       NOT NULL,
    promised_working_days  integer     NOT NULL,
    fee_cents              bigint      NOT NULL,
    rated                  boolean     NOT NULL,
    revision               integer     NOT NULL,
    status                 text        NOT NULL,
    published_at           timestamptz NOT NULL,
    updated_at             timestamptz NOT NULL,
    position               bigint      NOT NULL,
    PRIMARY KEY (tenant_id, code)
);
ALTER TABLE catalog_items ENABLE ROW LEVEL SECURITY;
ALTER TABLE catalog_items FORCE ROW LEVEL SECURITY;
-- The app role sees one hall (the tenant set per transaction); projection workers see all.
DROP POLICY IF EXISTS catalog_items_tenant ON catalog_items;
CREATE POLICY catalog_items_tenant ON catalog_items TO yanshen_app
    USING (tenant_id = current_setting('yanshen.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('yanshen.tenant_id', true));
DROP POLICY IF EXISTS catalog_items_worker ON catalog_items;
CREATE POLICY catalog_items_worker ON catalog_items TO yanshen_worker USING (true) WITH CHECK (true);
GRANT SELECT ON catalog_items TO yanshen_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON catalog_items TO yanshen_worker;
