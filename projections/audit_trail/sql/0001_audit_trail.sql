-- The audit trail of each hall (projection "audit_trail"): one row per event of the hall's
-- log — who (the event's actor), what (its public event type), which record (the aggregate
-- and a human reference where there is one: a code, a badge, a queue day and ticket number),
-- when (the event's time) and where in the hall's log (its position). Only those: no field of
-- the event's payload is copied, so no personal data is ever here.
CREATE TABLE IF NOT EXISTS audit_trail (
    tenant_id          text        NOT NULL,
    position           bigint      NOT NULL,
    occurred_at        timestamptz NOT NULL,
    actor              text        NOT NULL,
    event_type         text        NOT NULL,
    event_version      integer     NOT NULL,
    aggregate_id       text        NOT NULL,
    aggregate_version  bigint      NOT NULL,
    reference          text,
    PRIMARY KEY (tenant_id, position)
);
CREATE INDEX IF NOT EXISTS audit_trail_actor ON audit_trail (tenant_id, actor, position);
CREATE INDEX IF NOT EXISTS audit_trail_record ON audit_trail (tenant_id, aggregate_id, position);
CREATE INDEX IF NOT EXISTS audit_trail_reference
    ON audit_trail (tenant_id, reference text_pattern_ops);
CREATE INDEX IF NOT EXISTS audit_trail_time ON audit_trail (tenant_id, occurred_at);

-- The human reference of each record that has one, and the number prefix of a queue day.
CREATE TABLE IF NOT EXISTS audit_trail_records (
    tenant_id     text NOT NULL,
    aggregate_id  text NOT NULL,
    reference     text NOT NULL,
    prefix        text,
    PRIMARY KEY (tenant_id, aggregate_id)
);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['audit_trail', 'audit_trail_records'] LOOP
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
