-- The 帮办代办 case register (projection "case_register"): one row per case with its status,
-- first responsible (首问负责), materials and one-time notice (一次性告知), due date (限时办结,
-- Chinese working days, as the events fixed and moved it) and overdue flag; and the case's
-- history, one row per event. Personal data: only applicant_name (staff need it); it is
-- blanked ('[erased]') when the applicant's personal data is erased. No other personal field
-- is kept.
CREATE TABLE IF NOT EXISTS case_register (
    tenant_id                  text        NOT NULL,
    case_id                    uuid        NOT NULL,
    requested_position         bigint      NOT NULL,
    mode                       text        NOT NULL,
    item_code                  text        NOT NULL,
    matter                     text        NOT NULL,
    channel                    text        NOT NULL,
    applicant_id               text        NOT NULL,
    applicant_name             text        NOT NULL,
    status                     text        NOT NULL,
    status_before_suspension   text,
    first_responsible          text,
    responsible                text,
    accepted_on                date,
    promised_working_days      integer,
    due_date                   date,
    notice_due_date            date,
    required_materials         jsonb       NOT NULL,
    received_materials         jsonb       NOT NULL,
    missing_materials          jsonb       NOT NULL,
    notice_materials           jsonb       NOT NULL,
    outstanding_materials      jsonb       NOT NULL,
    notice_issued_on           date,
    notice_stopped_clock       boolean     NOT NULL,
    clock_stopped              boolean     NOT NULL,
    clock_stopped_working_days integer     NOT NULL,
    department                 text,
    acceptance_number          text,
    department_due_date        date,
    outcome                    text,
    ended_on                   date,
    on_time                    boolean,
    overdue                    boolean     NOT NULL,
    follow_up_calls            integer     NOT NULL,
    satisfied                  boolean,
    requested_at               timestamptz NOT NULL,
    requested_on               date        NOT NULL,
    updated_at                 timestamptz NOT NULL,
    version                    integer     NOT NULL,
    position                   bigint      NOT NULL,
    PRIMARY KEY (tenant_id, case_id)
);
COMMENT ON COLUMN case_register.applicant_name IS
    'Personal data (the applicant''s name, for the hall''s staff); [erased] once erased.';
CREATE UNIQUE INDEX IF NOT EXISTS case_register_newest
    ON case_register (tenant_id, requested_position);
CREATE INDEX IF NOT EXISTS case_register_applicant ON case_register (tenant_id, applicant_id);

CREATE TABLE IF NOT EXISTS case_history (
    tenant_id  text        NOT NULL,
    case_id    uuid        NOT NULL,
    version    integer     NOT NULL,
    event      text        NOT NULL,
    status     text        NOT NULL,
    actor      text        NOT NULL,
    at         timestamptz NOT NULL,
    details    jsonb       NOT NULL,
    position   bigint      NOT NULL,
    PRIMARY KEY (tenant_id, case_id, version)
);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['case_register', 'case_history'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        -- The app role sees one hall (the tenant set per transaction); workers see all.
        EXECUTE format('DROP POLICY IF EXISTS %I ON %I', t || '_tenant', t);
        EXECUTE format(
            'CREATE POLICY %I ON %I TO yanshen_app '
            'USING (tenant_id = current_setting(''yanshen.tenant_id'', true)) '
            'WITH CHECK (tenant_id = current_setting(''yanshen.tenant_id'', true))',
            t || '_tenant', t);
        EXECUTE format('DROP POLICY IF EXISTS %I ON %I', t || '_worker', t);
        EXECUTE format(
            'CREATE POLICY %I ON %I TO yanshen_worker USING (true) WITH CHECK (true)',
            t || '_worker', t);
        EXECUTE format('GRANT SELECT ON %I TO yanshen_app', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO yanshen_worker', t);
    END LOOP;
END
$$;
