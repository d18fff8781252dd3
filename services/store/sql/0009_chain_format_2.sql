-- Chain format 2: the hash binds recorded_at, and only yanshen_append writes events.
--
-- Before this migration an event's recorded_at (which time travel, history time filters and
-- time-range exports trust) was outside the hashed bytes, and yanshen_app / yanshen_worker
-- could INSERT rows into events (and move tenant_heads) directly: a row with any recorded_at
-- and a correctly chained hash verified as intact.
--
-- 1. events.chain_format records per row which canonical bytes its hash covers:
--      1: yanshen_event_bytes(...)                       (rows appended before this migration)
--      2: yanshen_event_bytes(...) || len(t) t          t = recorded_at in canonical UTC text
--    where t = to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), e.g.
--    2026-05-06T02:00:00.123456Z (always 6 fraction digits), len as int4 big-endian.
--    Existing rows keep format 1 (a constant column default: no table rewrite) and keep
--    verifying; their recorded_at stays unbound (nothing can bind it now without changing
--    their hashes, which published heads and exported bundles hold). Changing a row's
--    chain_format changes the bytes its hash must match, so it cannot be used to unbind.
-- 2. yanshen_append sets recorded_at itself from the server clock, read after the hall's
--    head row is locked (so positions and recorded_at grow together in a hall; never below
--    the previous append's, kept in tenant_heads.updated_at), and writes format 2.
-- 3. yanshen_append is SECURITY DEFINER (owned by the migration owner, search_path pinned),
--    and yanshen_app / yanshen_worker lose INSERT on events and INSERT/UPDATE on
--    tenant_heads: the append function is the only way they can write the chain. It still
--    confines a call to one hall: the hall it is given, which must be the transaction's hall
--    when the caller set one (yanshen.tenant_id).

ALTER TABLE events ADD COLUMN chain_format smallint NOT NULL DEFAULT 1;
-- NOT VALID: enforced for new rows without scanning the existing ones (all 1 by the default).
ALTER TABLE events ADD CONSTRAINT events_chain_format CHECK (chain_format IN (1, 2)) NOT VALID;

-- The canonical UTC text of a recorded_at (format 2); independent of TimeZone and DateStyle.
CREATE OR REPLACE FUNCTION yanshen_recorded_at_text(p_recorded_at timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT to_char(p_recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
$$;

-- The bytes an event's hash covers, by chain format (for checks and tools; the append
-- function computes the same inline). services/store/chain.py: chain_bytes.
CREATE OR REPLACE FUNCTION yanshen_chain_bytes(
    p_format integer,
    p_tenant_id text,
    p_position bigint,
    p_originator_id text,
    p_originator_version bigint,
    p_topic text,
    p_state bytea,
    p_recorded_at timestamptz
) RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT yanshen_event_bytes(p_tenant_id, p_position, p_originator_id, p_originator_version,
                               p_topic, p_state)
        || CASE p_format
               WHEN 1 THEN ''::bytea
               WHEN 2 THEN int4send(octet_length(convert_to(yanshen_recorded_at_text(p_recorded_at), 'UTF8')))
                           || convert_to(yanshen_recorded_at_text(p_recorded_at), 'UTF8')
           END
$$;

CREATE OR REPLACE FUNCTION yanshen_append(
    p_tenant_id text,
    p_originator_ids text[],
    p_versions bigint[],
    p_topics text[],
    p_states bytea[],
    p_tracking_name text DEFAULT NULL,
    p_tracking_id bigint DEFAULT NULL
) RETURNS SETOF bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
AS $$
DECLARE
    moved_id bigint;
    head_position bigint;
    head_hash bytea;
    head_at timestamptz;
    new_hash bytea;
    stamp timestamptz;
    at_field bytea;
    caller_hall text := nullif(current_setting('yanshen.tenant_id', true), '');
BEGIN
    IF caller_hall IS DISTINCT FROM NULL AND caller_hall <> p_tenant_id THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = format('cannot append to hall %s in a transaction of hall %s',
                             p_tenant_id, caller_hall);
    END IF;
    PERFORM set_config('yanshen.tenant_id', p_tenant_id, true);
    IF p_tracking_name IS NOT NULL THEN
        INSERT INTO tracking AS t (tenant_id, application_name, notification_id)
        VALUES (p_tenant_id, p_tracking_name, p_tracking_id)
        ON CONFLICT (tenant_id, application_name) DO UPDATE
        SET notification_id = EXCLUDED.notification_id
        WHERE t.notification_id < EXCLUDED.notification_id
        RETURNING notification_id INTO moved_id;
        IF moved_id IS NULL THEN
            RAISE EXCEPTION USING ERRCODE = 'unique_violation',
                MESSAGE = format('tracking position %s of %s does not move forward',
                                 p_tracking_id, p_tracking_name);
        END IF;
    END IF;
    IF coalesce(cardinality(p_originator_ids), 0) = 0 THEN
        RETURN;
    END IF;
    SELECT h.position, h.last_hash, h.updated_at INTO head_position, head_hash, head_at
    FROM tenant_heads h WHERE h.tenant_id = p_tenant_id FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        INSERT INTO tenant_heads (tenant_id) VALUES (p_tenant_id) ON CONFLICT DO NOTHING;
        SELECT h.position, h.last_hash, h.updated_at INTO head_position, head_hash, head_at
        FROM tenant_heads h WHERE h.tenant_id = p_tenant_id FOR NO KEY UPDATE;
    END IF;
    -- Read after the head row is locked: the hall's appends get increasing times in position
    -- order (never below the previous append's, should the clock step back).
    stamp := greatest(clock_timestamp(), head_at);
    at_field := convert_to(yanshen_recorded_at_text(stamp), 'UTF8');
    at_field := int4send(octet_length(at_field)) || at_field;
    FOR i IN 1 .. cardinality(p_originator_ids) LOOP
        head_position := head_position + 1;
        new_hash := sha256(head_hash || yanshen_event_bytes(p_tenant_id, head_position,
                    p_originator_ids[i], p_versions[i], p_topics[i], p_states[i]) || at_field);
        INSERT INTO events (tenant_id, position, originator_id, originator_version, topic,
                            state, recorded_at, prev_hash, hash, chain_format)
        VALUES (p_tenant_id, head_position, p_originator_ids[i], p_versions[i], p_topics[i],
                p_states[i], stamp, head_hash, new_hash, 2);
        head_hash := new_hash;
        RETURN NEXT head_position;
    END LOOP;
    UPDATE tenant_heads SET position = head_position, last_hash = head_hash, updated_at = stamp
    WHERE tenant_id = p_tenant_id;
END
$$;

-- Pin the definer's search_path to the schema the store lives in (then pg_temp, last, so a
-- caller's temporary objects can never shadow the store's).
DO $$
BEGIN
    EXECUTE format(
        'ALTER FUNCTION yanshen_append(text, text[], bigint[], text[], bytea[], text, bigint) '
        'SET search_path = %I, pg_temp', current_schema());
END
$$;

REVOKE ALL ON FUNCTION yanshen_append(text, text[], bigint[], text[], bytea[], text, bigint)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION yanshen_append(text, text[], bigint[], text[], bytea[], text, bigint)
    TO yanshen_app, yanshen_worker;
GRANT EXECUTE ON FUNCTION
    yanshen_recorded_at_text(timestamptz),
    yanshen_chain_bytes(integer, text, bigint, text, bigint, text, bytea, timestamptz)
    TO yanshen_app, yanshen_worker;

-- Appends only through yanshen_append; snapshots (not chained) and tracking stay as they were.
REVOKE INSERT ON events FROM yanshen_app, yanshen_worker;
REVOKE INSERT, UPDATE ON tenant_heads FROM yanshen_app, yanshen_worker;
