-- Deadlines of the halls' records (projection "deadlines"): one row per (record, deadline
-- kind) with its due date, whether it was met, and the day the scheduler recorded it overdue.
-- The deadline scheduler (services/scheduler) finds due records here; operators see open and
-- overdue counts per hall.
CREATE TABLE IF NOT EXISTS platform_deadlines (
    tenant_id   text        NOT NULL,
    context     text        NOT NULL,
    record_id   uuid        NOT NULL,
    deadline    text        NOT NULL,
    due_on      date        NOT NULL,
    opened_at   timestamptz NOT NULL,
    closed_at   timestamptz,
    met         boolean,
    overdue_on  date,
    position    bigint      NOT NULL,
    PRIMARY KEY (tenant_id, context, record_id, deadline)
);
CREATE INDEX IF NOT EXISTS platform_deadlines_open_due
    ON platform_deadlines (context, due_on) WHERE closed_at IS NULL AND overdue_on IS NULL;

ALTER TABLE platform_deadlines ENABLE ROW LEVEL SECURITY;
ALTER TABLE platform_deadlines FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS platform_deadlines_tenant ON platform_deadlines;
CREATE POLICY platform_deadlines_tenant ON platform_deadlines TO yanshen_app
    USING (tenant_id = current_setting('yanshen.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('yanshen.tenant_id', true));
DROP POLICY IF EXISTS platform_deadlines_worker ON platform_deadlines;
CREATE POLICY platform_deadlines_worker ON platform_deadlines TO yanshen_worker
    USING (true) WITH CHECK (true);
GRANT SELECT ON platform_deadlines TO yanshen_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON platform_deadlines TO yanshen_worker;
