-- The limit of a reopened complaint (projection "complaint_register"): a reopening's due date
-- follows the hall's complex-complaint limit (HallPolicies.complaint_complex_working_days) at
-- the time, which ComplaintReopened does not carry; the register keeps each hall's limit as
-- its HallRegistered and HallPoliciesChanged events set it. Existing registers fill it (and
-- correct their reopened rows) with `yanshen rebuild complaint_register`.
CREATE TABLE IF NOT EXISTS complaint_register_halls (
    tenant_id                       text    NOT NULL PRIMARY KEY,
    complaint_complex_working_days  integer NOT NULL,
    position                        bigint  NOT NULL
);

ALTER TABLE complaint_register_halls ENABLE ROW LEVEL SECURITY;
ALTER TABLE complaint_register_halls FORCE ROW LEVEL SECURITY;
-- The app role sees one hall (the tenant set per transaction); projection workers see all.
DROP POLICY IF EXISTS complaint_register_halls_tenant ON complaint_register_halls;
CREATE POLICY complaint_register_halls_tenant ON complaint_register_halls TO yanshen_app
    USING (tenant_id = current_setting('yanshen.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('yanshen.tenant_id', true));
DROP POLICY IF EXISTS complaint_register_halls_worker ON complaint_register_halls;
CREATE POLICY complaint_register_halls_worker ON complaint_register_halls TO yanshen_worker
    USING (true) WITH CHECK (true);
GRANT SELECT ON complaint_register_halls TO yanshen_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON complaint_register_halls TO yanshen_worker;
