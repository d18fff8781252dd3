-- The tenant-scoped event store: one events table for every hall (tenant), a gapless
-- position per tenant in commit order, a per-tenant hash chain and row-level security.

GRANT USAGE ON SCHEMA public TO yanshen_app, yanshen_worker;

-- Canonical bytes of one event, hashed into the chain:
--   len(tenant) tenant | position | len(originator) originator | version | len(topic) topic
--   | len(state) state
-- (lengths int4 big-endian, position/version int8 big-endian, text as UTF-8).
-- services/store/chain.py computes the same bytes in Python for the verifier.
CREATE OR REPLACE FUNCTION yanshen_event_bytes(
    p_tenant_id text,
    p_position bigint,
    p_originator_id text,
    p_originator_version bigint,
    p_topic text,
    p_state bytea
) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT int4send(octet_length(convert_to(p_tenant_id, 'UTF8'))) || convert_to(p_tenant_id, 'UTF8')
        || int8send(p_position)
        || int4send(octet_length(convert_to(p_originator_id, 'UTF8')))
        || convert_to(p_originator_id, 'UTF8')
        || int8send(p_originator_version)
        || int4send(octet_length(convert_to(p_topic, 'UTF8'))) || convert_to(p_topic, 'UTF8')
        || int4send(octet_length(p_state)) || p_state
$$;

-- Raised by statements that must fail as a conflict (the library's IntegrityError), e.g. a
-- tracking position that does not move forward.
CREATE OR REPLACE FUNCTION yanshen_raise_conflict(message text) RETURNS bigint
LANGUAGE plpgsql VOLATILE
AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'unique_violation', MESSAGE = message;
END
$$;

-- One head row per hall: the last position given out and the hash at that position.
-- Writers of one hall serialise on this row; different halls never wait for each other.
CREATE TABLE tenant_heads (
    tenant_id  text PRIMARY KEY CHECK (tenant_id ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    position   bigint NOT NULL DEFAULT 0 CHECK (position >= 0),
    last_hash  bytea NOT NULL DEFAULT decode(repeat('00', 32), 'hex'),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE events (
    tenant_id          text NOT NULL,
    position           bigint NOT NULL CHECK (position > 0),
    originator_id      text NOT NULL,
    originator_version bigint NOT NULL,
    topic              text NOT NULL,
    state              bytea NOT NULL,
    recorded_at        timestamptz NOT NULL DEFAULT now(),
    prev_hash          bytea NOT NULL,
    hash               bytea NOT NULL,
    CONSTRAINT events_pkey PRIMARY KEY (tenant_id, position),
    CONSTRAINT events_originator_version_key
        UNIQUE (tenant_id, originator_id, originator_version)
);

CREATE TABLE snapshots (
    tenant_id          text NOT NULL,
    originator_id      text NOT NULL,
    originator_version bigint NOT NULL,
    topic              text NOT NULL,
    state              bytea NOT NULL,
    recorded_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT snapshots_pkey PRIMARY KEY (tenant_id, originator_id, originator_version)
);

-- The library's single-row tracking, per (tenant, upstream application).
CREATE TABLE tracking (
    tenant_id        text NOT NULL,
    application_name text NOT NULL,
    notification_id  bigint NOT NULL,
    CONSTRAINT tracking_pkey PRIMARY KEY (tenant_id, application_name)
);

-- Positions of platform-wide consumers (projection runtime, Kafka relay) per hall.
CREATE TABLE consumer_positions (
    consumer   text NOT NULL,
    tenant_id  text NOT NULL,
    position   bigint NOT NULL CHECK (position >= 0),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT consumer_positions_pkey PRIMARY KEY (consumer, tenant_id)
);

-- Append-only for the application roles: no UPDATE or DELETE on events or snapshots.
GRANT SELECT, INSERT ON events, snapshots TO yanshen_app, yanshen_worker;
GRANT SELECT, INSERT, UPDATE ON tenant_heads, tracking, consumer_positions
    TO yanshen_app, yanshen_worker;
GRANT EXECUTE ON FUNCTION
    yanshen_event_bytes(text, bigint, text, bigint, text, bytea),
    yanshen_raise_conflict(text)
    TO yanshen_app, yanshen_worker;

-- Row-level security: yanshen_app sees one hall, the one set per transaction with
-- set_config('yanshen.tenant_id', <tenant>, true). Without it (NULL or '') it sees nothing.
-- yanshen_worker (relay, projections) gets an explicit permissive policy over all halls
-- instead of BYPASSRLS: the policy is visible per table, can be narrowed per table, and
-- needs no superuser to create.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['tenant_heads', 'events', 'snapshots', 'tracking',
                             'consumer_positions'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY %I ON %I TO yanshen_app '
            'USING (tenant_id = current_setting(''yanshen.tenant_id'', true)) '
            'WITH CHECK (tenant_id = current_setting(''yanshen.tenant_id'', true))',
            t || '_tenant_isolation', t);
        EXECUTE format(
            'CREATE POLICY %I ON %I TO yanshen_worker USING (true) WITH CHECK (true)',
            t || '_platform_worker', t);
    END LOOP;
END
$$;
