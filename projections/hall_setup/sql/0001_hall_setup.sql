-- What each hall has set up (projection "hall_setup"): its staff roster, service places,
-- queues and windows, as the hall admins configured them, for the lists the gateway answers
-- (staffMembers, servicePlaces, queues, windows). A staff member's name is personal data
-- (sealed for the member's own record): PersonalDataErased of that record blanks it.
CREATE TABLE IF NOT EXISTS hall_setup_staff (
    tenant_id       text        NOT NULL,
    badge_number    text        NOT NULL,
    staff_id        uuid        NOT NULL,
    name            text        NOT NULL,
    role            text        NOT NULL,
    skills          jsonb       NOT NULL,
    posts           jsonb       NOT NULL,  -- {"<window code>": "A" | "B"}
    on_duty_window  text        NOT NULL,  -- '' when off duty
    trainings       jsonb       NOT NULL,  -- [{course, hours, completed_on, certificate}]
    onboarded_at    timestamptz NOT NULL,
    offboarded_at   timestamptz,
    updated_at      timestamptz NOT NULL,
    position        bigint      NOT NULL,
    PRIMARY KEY (tenant_id, badge_number)
);
CREATE UNIQUE INDEX IF NOT EXISTS hall_setup_staff_id ON hall_setup_staff (tenant_id, staff_id);

CREATE TABLE IF NOT EXISTS hall_setup_places (
    tenant_id      text        NOT NULL,
    code           text        NOT NULL,
    place_id       uuid        NOT NULL,
    name           text        NOT NULL,
    place_type     text        NOT NULL,
    address        text        NOT NULL,
    registered_at  timestamptz NOT NULL,
    position       bigint      NOT NULL,
    PRIMARY KEY (tenant_id, code)
);

CREATE TABLE IF NOT EXISTS hall_setup_queues (
    tenant_id      text        NOT NULL,
    code           text        NOT NULL,
    queue_id       uuid        NOT NULL,
    name           text        NOT NULL,
    prefix         text        NOT NULL,
    item_codes     jsonb       NOT NULL,
    configured_at  timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    position       bigint      NOT NULL,
    PRIMARY KEY (tenant_id, code)
);
CREATE UNIQUE INDEX IF NOT EXISTS hall_setup_queues_id ON hall_setup_queues (tenant_id, queue_id);

CREATE TABLE IF NOT EXISTS hall_setup_windows (
    tenant_id          text        NOT NULL,
    code               text        NOT NULL,
    window_id          uuid        NOT NULL,
    name               text        NOT NULL,
    window_type        text        NOT NULL,
    place_code         text        NOT NULL,
    item_codes         jsonb       NOT NULL,
    queue_codes        jsonb       NOT NULL,
    status             text        NOT NULL,
    suspension_reason  text        NOT NULL,
    configured_at      timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    position           bigint      NOT NULL,
    PRIMARY KEY (tenant_id, code)
);
CREATE UNIQUE INDEX IF NOT EXISTS hall_setup_windows_id
    ON hall_setup_windows (tenant_id, window_id);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['hall_setup_staff', 'hall_setup_places', 'hall_setup_queues',
                             'hall_setup_windows'] LOOP
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
