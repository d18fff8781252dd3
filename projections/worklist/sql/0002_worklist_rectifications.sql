-- Rectification follow-ups on the staff worklists (projection "worklist"): per hall, each
-- rectification (整改) with the staff member it concerns (RectificationOpened.staff_badge, the
-- owner the rectification ledger shows; NULL when none is named), its status and the due dates
-- of its steps: the verification call (核实回访) and the ledger's (建台账限期整改). A staff member
-- has a follow-up while the rectification waits for them: the verification call, the
-- disposition, the ledger entry or the feedback to the rater (see projections/worklist/view.py).
-- No personal data: no applicant ids, summaries or notes. Existing worklists fill it (with the
-- rectifications opened before it) with `yanshen rebuild worklist`.
CREATE TABLE IF NOT EXISTS worklist_rectifications (
    tenant_id            text        NOT NULL,
    rectification_id     uuid        NOT NULL,
    source               text        NOT NULL,
    window_code          text        NOT NULL,
    responsible          text,
    status               text        NOT NULL,
    verification_due_on  date        NOT NULL,
    due_on               date,
    since_position       bigint      NOT NULL,
    since_at             timestamptz NOT NULL,
    position             bigint      NOT NULL,
    PRIMARY KEY (tenant_id, rectification_id)
);
CREATE INDEX IF NOT EXISTS worklist_rectifications_responsible
    ON worklist_rectifications (tenant_id, responsible);

ALTER TABLE worklist_rectifications ENABLE ROW LEVEL SECURITY;
ALTER TABLE worklist_rectifications FORCE ROW LEVEL SECURITY;
-- The app role sees one hall (the tenant set per transaction); workers see all.
DROP POLICY IF EXISTS worklist_rectifications_tenant ON worklist_rectifications;
CREATE POLICY worklist_rectifications_tenant ON worklist_rectifications TO yanshen_app
    USING (tenant_id = current_setting('yanshen.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('yanshen.tenant_id', true));
DROP POLICY IF EXISTS worklist_rectifications_worker ON worklist_rectifications;
CREATE POLICY worklist_rectifications_worker ON worklist_rectifications TO yanshen_worker
    USING (true) WITH CHECK (true);
GRANT SELECT ON worklist_rectifications TO yanshen_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON worklist_rectifications TO yanshen_worker;
