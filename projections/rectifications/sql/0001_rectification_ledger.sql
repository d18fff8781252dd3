-- The rectification ledger (projection "rectification_ledger", 整改台账): one row per
-- rectification with its source (bad rating, complaint, inspection), owner (the window and
-- staff member it concerns; who handled it last), due dates, state and overdue flag. Overdue
-- comes only from RectificationOverdue events (the deadline scheduler) and lasts while the
-- step whose deadline was missed is open. No personal data (the rater is an opaque id).
CREATE TABLE IF NOT EXISTS rectification_ledger (
    tenant_id            text        NOT NULL,
    rectification_id     uuid        NOT NULL,
    opened_position      bigint      NOT NULL,
    source               text        NOT NULL,
    source_id            text        NOT NULL,
    applicant_id         text        NOT NULL,
    window_code          text        NOT NULL,
    staff_badge          text        NOT NULL,
    summary              text        NOT NULL,
    status               text        NOT NULL,
    disposition          text,
    handling_round       integer     NOT NULL,
    handled_by           text,
    verification_due_on  date        NOT NULL,
    contacted            boolean,
    verified_on_time     boolean,
    plan                 jsonb,
    working_days         integer,
    due_on               date,
    completed_on_time    boolean,
    overdue              boolean     NOT NULL,
    overdue_deadline     text,
    overdue_since        date,
    missed_deadlines     integer     NOT NULL,
    opened_at            timestamptz NOT NULL,
    opened_on            date        NOT NULL,
    closed_at            timestamptz,
    updated_at           timestamptz NOT NULL,
    version              integer     NOT NULL,
    position             bigint      NOT NULL,
    PRIMARY KEY (tenant_id, rectification_id)
);
CREATE UNIQUE INDEX IF NOT EXISTS rectification_ledger_newest
    ON rectification_ledger (tenant_id, opened_position);

ALTER TABLE rectification_ledger ENABLE ROW LEVEL SECURITY;
ALTER TABLE rectification_ledger FORCE ROW LEVEL SECURITY;
-- The app role sees one hall (the tenant set per transaction); projection workers see all.
DROP POLICY IF EXISTS rectification_ledger_tenant ON rectification_ledger;
CREATE POLICY rectification_ledger_tenant ON rectification_ledger TO yanshen_app
    USING (tenant_id = current_setting('yanshen.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('yanshen.tenant_id', true));
DROP POLICY IF EXISTS rectification_ledger_worker ON rectification_ledger;
CREATE POLICY rectification_ledger_worker ON rectification_ledger TO yanshen_worker
    USING (true) WITH CHECK (true);
GRANT SELECT ON rectification_ledger TO yanshen_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON rectification_ledger TO yanshen_worker;
