-- The complaint register (projection "complaint_register", GB/T 36113): one row per complaint
-- with its status, class, respondent (window, badge), due date as the events set and extended
-- it, every extension, the finding, and whether it was answered late. No personal data: the
-- complainant is only the opaque applicant_id; names, phones and facts stay in the events.
CREATE TABLE IF NOT EXISTS complaint_register (
    tenant_id                text        NOT NULL,
    complaint_id             uuid        NOT NULL,
    received_position        bigint      NOT NULL,
    channel                  text        NOT NULL,
    anonymous                boolean     NOT NULL,
    applicant_id             text        NOT NULL,
    respondent_window        text        NOT NULL,
    respondent_badge         text        NOT NULL,
    status                   text        NOT NULL,
    complaint_class          text,
    rejection_reason         text,
    time_limit_working_days  integer,
    accepted_due_on          date,
    due_on                   date,
    extensions               jsonb       NOT NULL,
    extension_count          integer     NOT NULL,
    assignee                 text,
    finding                  text,
    handling_round           integer     NOT NULL,
    replied_on_time          boolean,
    overdue                  boolean     NOT NULL,
    satisfied                boolean,
    received_at              timestamptz NOT NULL,
    received_on              date        NOT NULL,
    updated_at               timestamptz NOT NULL,
    version                  integer     NOT NULL,
    position                 bigint      NOT NULL,
    PRIMARY KEY (tenant_id, complaint_id)
);
CREATE UNIQUE INDEX IF NOT EXISTS complaint_register_newest
    ON complaint_register (tenant_id, received_position);
CREATE INDEX IF NOT EXISTS complaint_register_applicant
    ON complaint_register (tenant_id, applicant_id);

ALTER TABLE complaint_register ENABLE ROW LEVEL SECURITY;
ALTER TABLE complaint_register FORCE ROW LEVEL SECURITY;
-- The app role sees one hall (the tenant set per transaction); projection workers see all.
DROP POLICY IF EXISTS complaint_register_tenant ON complaint_register;
CREATE POLICY complaint_register_tenant ON complaint_register TO yanshen_app
    USING (tenant_id = current_setting('yanshen.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('yanshen.tenant_id', true));
DROP POLICY IF EXISTS complaint_register_worker ON complaint_register;
CREATE POLICY complaint_register_worker ON complaint_register TO yanshen_worker
    USING (true) WITH CHECK (true);
GRANT SELECT ON complaint_register TO yanshen_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON complaint_register TO yanshen_worker;
