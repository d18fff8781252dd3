-- The live queue board of each hall (projection "queue_board"): the hall's waiting-time
-- target, its queues, windows (status, staff on duty, the number called last), the service
-- days of its queues and every ticket of those days with the times its events carried.
-- The board's statistics are computed from the day's tickets when read. No personal data:
-- neither the applicant's id nor the phone of a mobile ticket is kept.
CREATE TABLE IF NOT EXISTS queue_board_halls (
    tenant_id               text    NOT NULL PRIMARY KEY,
    waiting_target_minutes  integer NOT NULL,
    position                bigint  NOT NULL
);

CREATE TABLE IF NOT EXISTS queue_board_queues (
    tenant_id  text   NOT NULL,
    code       text   NOT NULL,
    queue_id   uuid   NOT NULL,
    name       text   NOT NULL,
    prefix     text   NOT NULL,
    position   bigint NOT NULL,
    PRIMARY KEY (tenant_id, code)
);
CREATE UNIQUE INDEX IF NOT EXISTS queue_board_queues_id ON queue_board_queues (tenant_id, queue_id);

CREATE TABLE IF NOT EXISTS queue_board_windows (
    tenant_id          text        NOT NULL,
    code               text        NOT NULL,
    window_id          uuid        NOT NULL,
    name               text        NOT NULL,
    window_type        text        NOT NULL,
    status             text        NOT NULL,
    suspension_reason  text        NOT NULL,
    queue_codes        jsonb       NOT NULL,
    called_day_id      uuid,
    called_number      integer,
    called_at          timestamptz,
    position           bigint      NOT NULL,
    PRIMARY KEY (tenant_id, code)
);
CREATE UNIQUE INDEX IF NOT EXISTS queue_board_windows_id
    ON queue_board_windows (tenant_id, window_id);

CREATE TABLE IF NOT EXISTS queue_board_staff (
    tenant_id       text   NOT NULL,
    staff_id        uuid   NOT NULL,
    badge_number    text   NOT NULL,
    on_duty_window  text,
    position        bigint NOT NULL,
    PRIMARY KEY (tenant_id, staff_id)
);

CREATE TABLE IF NOT EXISTS queue_board_days (
    tenant_id    text        NOT NULL,
    day_id       uuid        NOT NULL,
    queue_code   text        NOT NULL,
    service_day  date        NOT NULL,
    prefix       text        NOT NULL,
    reset_at     timestamptz,
    position     bigint      NOT NULL,
    PRIMARY KEY (tenant_id, day_id)
);
CREATE INDEX IF NOT EXISTS queue_board_days_day ON queue_board_days (tenant_id, service_day);

CREATE TABLE IF NOT EXISTS queue_board_tickets (
    tenant_id        text        NOT NULL,
    day_id           uuid        NOT NULL,
    number           integer     NOT NULL,
    queue_code       text        NOT NULL,
    service_day      date        NOT NULL,
    display_number   text        NOT NULL,
    channel          text        NOT NULL,
    status           text        NOT NULL,
    window_code      text        NOT NULL,
    staff_badge      text        NOT NULL,
    issued_at        timestamptz NOT NULL,
    waiting_since    timestamptz NOT NULL,
    first_called_at  timestamptz,
    called_at        timestamptz,
    started_at       timestamptz,
    ended_at         timestamptz,
    outcome          text,
    recalls          integer     NOT NULL,
    misses           integer     NOT NULL,
    position         bigint      NOT NULL,
    PRIMARY KEY (tenant_id, day_id, number)
);
CREATE INDEX IF NOT EXISTS queue_board_tickets_day
    ON queue_board_tickets (tenant_id, service_day, queue_code);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['queue_board_halls', 'queue_board_queues', 'queue_board_windows',
                             'queue_board_staff', 'queue_board_days', 'queue_board_tickets'] LOOP
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
