-- The staff worklists (projection "worklist"): per hall, the 帮办代办 cases with the staff
-- member responsible for each, the complaints with their assignee, and the tickets called to
-- or in service at a window with the badge of who has them. The worklist of a staff member
-- is read from these three (see projections/worklist/view.py). No personal data: no names,
-- ID numbers, phones, addresses or notes.
CREATE TABLE IF NOT EXISTS worklist_cases (
    tenant_id                 text        NOT NULL,
    case_id                   uuid        NOT NULL,
    item_code                 text        NOT NULL,
    matter                    text        NOT NULL,
    status                    text        NOT NULL,
    status_before_suspension  text,
    responsible               text,
    due_date                  date,
    ended_on                  date,
    follow_up_calls           integer     NOT NULL,
    follow_up_reached         boolean     NOT NULL,
    since_position            bigint      NOT NULL,
    since_at                  timestamptz NOT NULL,
    position                  bigint      NOT NULL,
    PRIMARY KEY (tenant_id, case_id)
);
CREATE INDEX IF NOT EXISTS worklist_cases_responsible ON worklist_cases (tenant_id, responsible);

CREATE TABLE IF NOT EXISTS worklist_complaints (
    tenant_id          text        NOT NULL,
    complaint_id       uuid        NOT NULL,
    status             text        NOT NULL,
    assignee           text,
    due_on             date,
    has_applicant      boolean     NOT NULL,
    respondent_window  text        NOT NULL,
    since_position     bigint      NOT NULL,
    since_at           timestamptz NOT NULL,
    position           bigint      NOT NULL,
    PRIMARY KEY (tenant_id, complaint_id)
);
CREATE INDEX IF NOT EXISTS worklist_complaints_assignee ON worklist_complaints (tenant_id, assignee);

CREATE TABLE IF NOT EXISTS worklist_days (
    tenant_id    text   NOT NULL,
    day_id       uuid   NOT NULL,
    queue_code   text   NOT NULL,
    service_day  date   NOT NULL,
    position     bigint NOT NULL,
    PRIMARY KEY (tenant_id, day_id)
);

CREATE TABLE IF NOT EXISTS worklist_tickets (
    tenant_id       text        NOT NULL,
    day_id          uuid        NOT NULL,
    number          integer     NOT NULL,
    queue_code      text        NOT NULL,
    service_day     date        NOT NULL,
    display_number  text        NOT NULL,
    window_code     text        NOT NULL,
    staff_badge     text        NOT NULL,
    status          text        NOT NULL,
    called_at       timestamptz NOT NULL,
    started_at      timestamptz,
    since_position  bigint      NOT NULL,
    position        bigint      NOT NULL,
    PRIMARY KEY (tenant_id, day_id, number)
);
CREATE INDEX IF NOT EXISTS worklist_tickets_staff ON worklist_tickets (tenant_id, staff_badge);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['worklist_cases', 'worklist_complaints', 'worklist_days',
                             'worklist_tickets'] LOOP
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
